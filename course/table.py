"""Plain-text tables, the way every ``course`` command prints its results."""

from __future__ import annotations


def text_table(rows: list[tuple[str, ...]], right: set[int] = frozenset()) -> str:
    """A plain-text table: the first row is the header, a rule under it; columns in ``right`` align right."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(row, widths)))
             for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)

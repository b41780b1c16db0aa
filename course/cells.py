"""What an nbgrader cell is, defined once: its kind, and the regions ``generate_assignment`` hides.

nbgrader marks a cell with ``metadata.nbgrader``: ``solution`` (the learner writes it), ``grade`` (it earns
points), ``locked``, ``task``. The course uses three combinations of them:

========  =========  ==========================================================
kind      cell type  nbgrader flags
========  =========  ==========================================================
answer    code       ``solution``, not ``grade``: autograded by the test after it
test      code       ``grade``, not ``solution``: its asserts earn the points
written   markdown   ``grade`` and ``solution``: a person grades it
========  =========  ==========================================================

Inside a cell, ``### BEGIN SOLUTION``/``### END SOLUTION`` and ``### BEGIN HIDDEN TESTS``/``### END HIDDEN
TESTS`` delimit what the released notebook does not show.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

SOLUTION = ("### BEGIN SOLUTION", "### END SOLUTION")
HIDDEN_TESTS = ("### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS")
REGIONS = (SOLUTION, HIDDEN_TESTS)


def meta(cell) -> dict:
    """The cell's nbgrader metadata (empty for a plain cell)."""
    return cell.get("metadata", {}).get("nbgrader", {})


def is_answer(cell) -> bool:
    return cell.cell_type == "code" and bool(meta(cell).get("solution")) and not meta(cell).get("grade")


def is_test(cell) -> bool:
    return cell.cell_type == "code" and bool(meta(cell).get("grade")) and not meta(cell).get("solution")


def is_written(cell) -> bool:
    return cell.cell_type == "markdown" and bool(meta(cell).get("grade")) and bool(meta(cell).get("solution"))


def grade_id(cell) -> str | None:
    return meta(cell).get("grade_id")


def indices(nb, kind) -> list[int]:
    """Positions of the cells of one kind (``is_answer``, ``is_test``, ``is_written``) in a notebook."""
    return [i for i, cell in enumerate(nb.cells) if kind(cell)]


def region_lines(source: str, regions=REGIONS) -> Iterator[str]:
    """The lines inside the given regions of a cell's source, markers excluded."""
    end = None
    for line in source.splitlines():
        if end is None:
            end = next((stop for start, stop in regions if start in line), None)
        elif end in line:
            end = None
        else:
            yield line


def without_regions(source: str, regions=REGIONS) -> str:
    """The source with the given regions and their markers removed: what a release notebook shows of it."""
    for start, stop in regions:
        source = re.sub(rf"[ \t]*{re.escape(start)}.*?{re.escape(stop)}[ \t]*\n?", "", source, flags=re.S)
    return source


def without_markers(source: str, regions=(SOLUTION,)) -> str:
    """The source with the region markers' lines removed and their contents kept: a solution as typed in."""
    markers = {m for region in regions for m in region}
    return "\n".join(ln for ln in source.splitlines() if not any(m in ln for m in markers))

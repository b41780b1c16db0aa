"""The full-mode results table, ``docs/results.md``: the numbers each chapter's text quotes, as a run printed them.

A chapter's text may quote a number from a full-mode run only in a paragraph that says so (it mentions the
"reference run"). The cells such a paragraph describes are the code cells of its section (between two headings).
``course results`` executes chapters in full mode and rewrites their sections of the table with what those cells
printed, how long they and the whole chapter took, and the machine and thread count; a test then checks every decimal
number those paragraphs quote against the table, so the text cannot drift away from what the notebook computes.
"""

from __future__ import annotations

import platform
import re
import time
from dataclasses import dataclass
from pathlib import Path

REFERENCE = re.compile(r"reference run", re.I)
SECTION = re.compile(r"^## (\d{2}_[a-z0-9_]+)\s*$", re.M)
NUMBER = re.compile(r"(?<![\w.])[-−]?\d+(?:,\d{3})*\.\d+%?|(?<![\w.])\d+(?:\.\d+)?%")
MATH = re.compile(r"\$\$.+?\$\$|(?<![\\$])\$(?!\$).+?(?<![\\$])\$", re.S)
CODE = re.compile(r"```.*?```|`[^`\n]*`", re.S)
MAX_LINES = 40
WIDGET = "application/vnd.jupyter.widget-view+json"
PROGRESS = re.compile(r"\d+/\d+ \[[^\]]*(it/s|s/it)\]|\|\s*\d+/\d+ \[")


def prose(markdown: str) -> str:
    """Markdown without math and code: the sentences whose numbers are claims about a run."""
    return MATH.sub("", CODE.sub("", markdown))


def is_reference(cell) -> bool:
    return cell.cell_type == "markdown" and bool(REFERENCE.search(cell.source))


def reference_text(markdown: str) -> str:
    """The part of a markdown cell that reports a run: from the paragraph naming the reference run to the next
    heading (a table right after "in the reference run:" belongs to it; a quotation from a book under the next
    heading does not)."""
    kept = []
    for chunk in re.split(r"^(?=#)", markdown, flags=re.M):
        paragraphs = re.split(r"\n\s*\n", chunk)
        first = next((k for k, p in enumerate(paragraphs) if REFERENCE.search(p)), None)
        if first is not None:
            kept += paragraphs[first:]
    return "\n\n".join(kept)


def quoted_numbers(markdown: str) -> list[str]:
    """Decimal numbers and percentages a cell reports from the reference run (``0.968``, ``7.06``, ``93.9%``);
    integers are mostly counts and settings (epochs, steps, seeds), not results."""
    return [m.group(0).replace("−", "-") for m in NUMBER.finditer(prose(reference_text(markdown)))]


def _heading(cell) -> bool:
    return cell.cell_type == "markdown" and cell.source.lstrip().startswith("#")


def described_cells(nb, index: int) -> list[int]:
    """The code cells of the section that markdown cell ``index`` belongs to (from the heading before it to the
    next heading): what its numbers come from, whether the paragraph sits before, after or below the cell."""
    start = index
    while start > 0 and not _heading(nb.cells[start]):
        start -= 1
    end = index + 1
    while end < len(nb.cells) and not _heading(nb.cells[end]):
        end += 1
    return [i for i in range(start, end) if nb.cells[i].cell_type == "code"]


def _printed(cell) -> list[str]:
    """What a cell printed or returned as text: no figures, widgets or progress bars."""
    lines = []
    for out in cell.get("outputs", []):
        if out.get("output_type") == "stream":
            lines += out.get("text", "").splitlines()
        elif out.get("output_type") == "execute_result" and WIDGET not in out.get("data", {}):
            lines += out.get("data", {}).get("text/plain", "").splitlines()
    keep = [ln.rstrip() for ln in lines if ln.strip() and not ln.startswith("[course]") and not PROGRESS.search(ln)]
    return keep[:MAX_LINES]


def _duration(cell) -> float | None:
    value = cell.metadata.get("papermill", {}).get("duration")
    return float(value) if value is not None else None


def _course_line(nb) -> str:
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            for line in out.get("text", "").splitlines() if out.get("output_type") == "stream" else []:
                if line.startswith("[course] device="):
                    return line
    return "[course] line not found"


def machine() -> str:
    """CPU model, usable CPUs and OS: what a timing in the table was measured on."""
    from course.device import affinity_cpus, cgroup_cpu_limit

    cpuinfo = Path("/proc/cpuinfo")
    model = platform.processor() or platform.machine()
    if cpuinfo.exists():
        model = next((ln.split(":", 1)[1].strip() for ln in cpuinfo.read_text().splitlines()
                      if ln.startswith("model name")), model)
    quota = cgroup_cpu_limit()
    return (f"{model}, {affinity_cpus()} usable CPUs{f' (cgroup quota {quota:g})' if quota else ''}, "
            f"{platform.system()} {platform.release()}")


def section(slug: str, nb, seconds: float, where: str, note: str = "") -> str:
    """One chapter's part of the table, from its executed full-mode notebook (cell numbers as in the source)."""
    nb.cells = [c for c in nb.cells if "injected-parameters" not in c.metadata.get("tags", [])]
    lines = [f"## {slug}", "",
             f"Full mode, {seconds:.0f} s in all, on {where}; {time.strftime('%Y-%m-%d', time.gmtime())}.",
             f"`{_course_line(nb)}`" + (f" {note}" if note else ""), ""]
    cells = sorted({i for k, cell in enumerate(nb.cells) if is_reference(cell) for i in described_cells(nb, k)})
    for i in cells:
        printed = _printed(nb.cells[i])
        if not printed:
            continue
        duration = _duration(nb.cells[i])
        took = f", {duration:.1f} s" if duration is not None else ""
        lines += [f"Cell {i}{took}:", "", "```", *printed, "```", ""]
    return "\n".join(lines).rstrip() + "\n"


HEADER = """# Full-mode results

What each chapter printed in a full-mode run, for the cells whose numbers its text quotes ("reference run"), with
the time each took. Generated by `make results` (`course results`); `tests/test_results.py` checks every decimal
number those paragraphs quote against this file. Timings are for the machine named in each section.
"""


def read_sections(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    text = path.read_text()
    marks = list(SECTION.finditer(text))
    return {m.group(1): text[m.start():(marks[k + 1].start() if k + 1 < len(marks) else len(text))].rstrip() + "\n"
            for k, m in enumerate(marks)}


def write_sections(path: Path, sections: dict[str, str]) -> None:
    """Replace the given chapters' sections of the table and keep the others."""
    merged = {**read_sections(path), **sections}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(HEADER + "\n" + "\n".join(merged[k] for k in sorted(merged)))


DURATION = re.compile(
    r"(?P<bound>about|under|well under|within)\s+(?P<n>\d+(?:\.\d+)?|a|one|half a|a few)\s*"
    r"(?P<unit>seconds?|s|minutes?|min)\b", re.I)
WORDS = {"a": 1.0, "one": 1.0, "half a": 0.5, "a few": 3.0}


def quoted_durations(markdown: str) -> list[tuple[str, float, bool]]:
    """Timing claims in a reference-run paragraph: (text, seconds, is an upper bound)."""
    found = []
    for m in DURATION.finditer(prose(reference_text(markdown))):
        n = WORDS.get(m.group("n").lower()) or float(m.group("n"))
        seconds = n * (60 if m.group("unit").lower().startswith("m") else 1)
        found.append((m.group(0), seconds, m.group("bound").lower() != "about"))
    return found


def recorded_durations(section_text: str) -> list[float]:
    """Every time in a chapter's section of the table: the whole run's, each recorded cell's, and those the cells
    printed themselves ("LeNet ... 4.6 s on cpu")."""
    return [float(v) for v in re.findall(r"(?<![\w.])(\d+(?:\.\d+)?) ?s\b", section_text)]


def duration_recorded(seconds: float, bound: bool, recorded: list[float], slack: float = 1.5) -> bool:
    """"about N s" holds if a recorded time is within a factor ``slack`` of N; "under N s" if one is at most N."""
    if bound:
        return any(r <= seconds for r in recorded)
    return any(seconds / slack <= r <= seconds * slack for r in recorded)


@dataclass(frozen=True)
class Mismatch:
    cell: int
    number: str


VALUE = re.compile(r"[-−]?\d+(?:,\d{3})*(?:\.\d+)?(?:e[-+]?\d+)?")


def _values(text: str) -> list[float]:
    return [float(v.replace(",", "").replace("−", "-")) for v in VALUE.findall(text)]


def number_recorded(quoted: str, recorded: list[float]) -> bool:
    """Whether a quoted number is a recorded one rounded as written (``0.97`` for 0.9683, ``96.8%`` for 0.9683)."""
    percent = quoted.endswith("%")
    body = quoted.rstrip("%").replace(",", "")
    decimals = len(body.split(".", 1)[1]) if "." in body else 0
    x = float(body)
    half = 0.5 * 10 ** -decimals + 1e-12
    return any(abs(abs(y) - abs(x)) <= half or (percent and abs(abs(100 * y) - abs(x)) <= half) for y in recorded)


def unrecorded(nb, recorded_section: str) -> list[Mismatch]:
    """Numbers quoted in the notebook's reference-run paragraphs that neither its section of the table holds nor
    the code of the cells the paragraph describes (a threshold the cell asserts, "at least 0.93", is a literal),
    and timing claims ("about 20 seconds") that no recorded time supports."""
    recorded = _values(recorded_section)
    found = []
    for i, cell in enumerate(nb.cells):
        if not is_reference(cell):
            continue
        literals = _values("\n".join(nb.cells[k].source for k in described_cells(nb, i)))
        found += [Mismatch(i, n) for n in quoted_numbers(cell.source) if not number_recorded(n, recorded + literals)]
        found += [Mismatch(i, text) for text, seconds, bound in quoted_durations(cell.source)
                  if not duration_recorded(seconds, bound, recorded_durations(recorded_section))]
    return found

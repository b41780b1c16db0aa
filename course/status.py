"""Where a learner stands in each chapter, read from their own notebooks: the landing page ``make lab`` opens.

Everything is read statically from the saved notebook, with nbgrader's conventions: a solution cell counts as
answered once its checksum differs from the one ``generate_assignment`` stored, and a test cell passed if the
last saved run shows it executed without an error. "Validated" means nbgrader's own Validator (what the Validate
button runs) passed on exactly the current cell sources; ``course status --validate`` records that, and an edit
afterwards makes it stale again.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbgrader.utils import compute_checksum

from course import cells
from course.chapters import Chapter
from course.config import nbgrader_config
from course.table import text_table

CACHE = ".course-status.json"
TITLE = re.compile(r"^#\s+(.+)$", re.M)


@dataclass
class ChapterStatus:
    """One chapter's notebook as the learner last saved it."""

    chapter: Chapter
    title: str
    objectives: list[str]
    path: Path
    answers: int = 0
    answered: int = 0
    tests: int = 0
    passed: int = 0
    failed: list[str] = field(default_factory=list)
    validated: str | None = None
    exists: bool = True
    problem: str | None = None

    @property
    def state(self) -> str:
        if not self.exists:
            return "missing"
        if self.problem:
            return "unreadable"
        if self.validated:
            return "validated"
        if self.failed:
            return "tests failing"
        if self.answered == 0:
            return "not started"
        if self.answered == self.answers and self.passed == self.tests:
            return "tests pass"
        return "in progress"

    def summary(self) -> str:
        """What to do next, in words: ``✓ validated 2026-11-24``, ``2 tests failing``, ``not started`` …"""
        if not self.exists:
            return f"missing: {self.path.name}"
        if self.problem:
            return f"cannot read the notebook ({self.problem}): restore it from a checkpoint or release/"
        if self.validated:
            return f"✓ validated {self.validated}"
        if self.failed:
            return f"{len(self.failed)} test{'s' * (len(self.failed) > 1)} failing"
        return {"tests pass": "all tests pass: press Validate"}.get(self.state, self.state)


def fingerprint(nb) -> str:
    """A hash of what the learner wrote (cell types and sources), blind to outputs and execution counts."""
    cells = [(c.cell_type, c.source) for c in nb.cells]
    return hashlib.sha256(json.dumps(cells).encode()).hexdigest()


def _title_and_objectives(nb) -> tuple[str, list[str]]:
    first = nb.cells[0].source if nb.cells else ""
    title = m.group(1).strip() if (m := TITLE.search(first)) else ""
    objectives, inside = [], False
    for line in first.splitlines():
        if line.strip().startswith("**Objectives**"):
            inside = True
        elif inside and line.startswith("- "):
            objectives.append(line[2:].strip())
        elif inside and line.startswith("  ") and objectives:
            objectives[-1] += " " + line.strip()
        elif inside and line.strip():
            break
    return title, objectives


def _failed(cell) -> bool:
    return any(out.get("output_type") == "error" for out in cell.get("outputs", []))


def read_status(chapter: Chapter, path: Path | None = None, cache: dict | None = None) -> ChapterStatus:
    """The status of ``path`` (default: the chapter's release notebook, which is what a learner edits)."""
    path = path or chapter.release
    if not path.exists():
        return ChapterStatus(chapter, chapter.slug, [], path, exists=False)
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception as exc:  # a learner's broken file must not stop `make lab` from opening the course
        return ChapterStatus(chapter, chapter.slug, [], path, problem=type(exc).__name__)
    title, objectives = _title_and_objectives(nb)
    status = ChapterStatus(chapter, title or chapter.slug, objectives, path)
    for cell in nb.cells:
        if cells.is_answer(cell) or cells.is_written(cell):
            status.answers += 1
            status.answered += cells.meta(cell).get("checksum") not in (None, compute_checksum(cell))
        if cells.is_test(cell):
            status.tests += 1
            if _failed(cell):
                status.failed.append(cells.grade_id(cell) or "?")
            elif cell.get("execution_count") is not None:
                status.passed += 1
    record = (cache or {}).get(chapter.slug)
    if record and record.get("passed") and record.get("fingerprint") == fingerprint(nb):
        status.validated = record.get("date")
    return status


def load_cache(root: Path) -> dict:
    try:
        return json.loads((root / CACHE).read_text())
    except (OSError, ValueError):
        return {}


def validate(chapter: Chapter, root: Path, path: Path | None = None) -> dict:
    """Run nbgrader's Validator on the notebook, as the Validate button does, and record the result."""
    from nbgrader.validator import Validator

    path = (path or chapter.release).resolve()
    result = Validator(config=nbgrader_config(root)).validate(str(path))
    problems = {key: len(result.get(key, [])) for key in ("type_changed", "changed", "failed")}
    nb = nbformat.read(path, as_version=4)
    record = {"passed": not any(problems.values()), "fingerprint": fingerprint(nb),
              "date": datetime.date.today().isoformat(), **problems}
    cache = load_cache(root)
    cache[chapter.slug] = record
    tmp = root / (CACHE + ".tmp")
    tmp.write_text(json.dumps(cache, indent=1))
    os.replace(tmp, root / CACHE)
    return record


def status_table(statuses: list[ChapterStatus]) -> str:
    rows = [("chapter", "exercises", "tests", "status")]
    for s in statuses:
        rows.append((s.chapter.slug, f"{s.answered}/{s.answers}", f"{s.passed}/{s.tests}", s.summary()))
    return text_table(rows)


def landing_page(statuses: list[ChapterStatus], root: Path) -> str:
    """Markdown for ``START.md``: every chapter with a link, its objectives and the learner's status."""
    done = sum(s.state == "validated" for s in statuses)
    lines = [
        "# Deep learning, from linear algebra to reinforcement learning",
        "",
        "Open a chapter, run it top to bottom, solve the exercises (`YOUR CODE HERE`), then press **Validate** in "
        "the notebook's toolbar. Your progress below is read from your saved notebooks.",
        "",
        f"**{done} of {len(statuses)} chapters validated** · updated "
        f"{datetime.datetime.now().strftime('%Y-%m-%d %H:%M')} · refresh: run `course status` in a terminal "
        "(`course status --validate` also runs nbgrader's Validator and records chapters that pass), then "
        "*File → Reload from Disk*.",
        "",
        "| Chapter | Exercises answered | Tests passing (last run) | Status |",
        "|---|---|---|---|",
    ]
    for s in statuses:
        link = f"[{s.title}]({s.path.relative_to(root).as_posix()})"
        lines.append(f"| {link} | {s.answered}/{s.answers} | {s.passed}/{s.tests} | {s.summary()} |")
    for s in statuses:
        lines += ["", f"## [{s.title}]({s.path.relative_to(root).as_posix()})", "",
                  f"*{s.answered}/{s.answers} answered · {s.summary()}*", ""]
        lines += [f"- {objective}" for objective in s.objectives]
        if s.failed:
            lines += ["", "Failing in your last run: " + ", ".join(f"`{g}`" for g in s.failed)]
    lines += ["", "---", "", "The course's [README](README.md) explains the set-up, the parameters cell and grading."]
    return "\n".join(lines) + "\n"

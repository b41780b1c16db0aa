"""Submissions shaped as a learner's are: the release notebook with answers typed in, never the source notebook.

The source notebook carries the solution markers and is trusted cell for cell; a learner's notebook is the release
notebook (nbgrader's metadata, checksums and stubs) whose answer cells they overwrote. Grading tests and sample
corpora build their submissions here so that they exercise what real submissions exercise.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]


def _grade_id(cell) -> str | None:
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def is_answer(cell) -> bool:
    """An autograded answer cell (solution code, not a test, not a written answer)."""
    meta = cell.metadata.get("nbgrader", {})
    return cell.cell_type == "code" and bool(meta.get("solution")) and not meta.get("grade")


def typed_in(release_nb, source_nb, answers: dict[str, str] | None = None,
             skip: frozenset[str] = frozenset()):
    """The release notebook with the solutions typed in (no solution markers), as a learner would have it.

    ``answers`` maps a ``grade_id`` to the learner's own code for that cell; ``skip`` leaves cells as released.
    """
    solutions = {_grade_id(c): c.source for c in source_nb.cells if c.metadata.get("nbgrader", {}).get("solution")}
    for cell in release_nb.cells:
        grade_id = _grade_id(cell)
        if not cell.metadata.get("nbgrader", {}).get("solution") or grade_id in skip:
            continue
        if answers and grade_id in answers:
            cell.source = answers[grade_id].strip("\n")
        else:
            lines = solutions[grade_id].splitlines()
            cell.source = "\n".join(ln for ln in lines if not re.search(r"(BEGIN|END) SOLUTION", ln))
    return release_nb


def notebooks(slug: str, root: Path = ROOT):
    """(release, source) notebooks of a chapter."""
    def read(kind: str):
        return nbformat.read(root / kind / slug / f"{slug}.ipynb", as_version=4)
    return read("release"), read("source")


def solved(slug: str, root: Path = ROOT, answers: dict[str, str] | None = None):
    """A chapter answered correctly by a learner (``answers`` replaces some cells with the learner's own code)."""
    return typed_in(*notebooks(slug, root), answers=answers)


def mistakes(slug: str) -> dict[str, str]:
    """For each answer cell, the first typical mistake recorded in ``autograder/variants/`` (it fails its test).

    The variants belong to the autograder, not to a course copy (copies for grading tests leave it out).
    """
    path = ROOT / "autograder" / "variants" / f"{slug}.py"
    spec = importlib.util.spec_from_file_location(f"variants_{slug}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    found: dict[str, str] = {}
    for v in module.VARIANTS:
        if not v["passes"]:
            found.setdefault(v["cell"], v["source"])
    return found


def answer_ids(nb) -> list[str]:
    return [_grade_id(c) for c in nb.cells if is_answer(c)]

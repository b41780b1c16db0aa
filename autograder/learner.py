"""Submissions shaped as a learner's are: the release notebook with answers typed in, never the source notebook.

The source notebook carries the solution markers and is trusted cell for cell; a learner's notebook is the release
notebook (nbgrader's metadata, checksums and stubs) whose answer cells they overwrote. Grading tests and sample
corpora build their submissions here so that they exercise what real submissions exercise.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import nbformat

from course import cells

ROOT = Path(__file__).resolve().parents[1]


def typed_in(release_nb, source_nb, answers: dict[str, str] | None = None,
             skip: frozenset[str] = frozenset()):
    """The release notebook with the solutions typed in (no solution markers), as a learner would have it.

    ``answers`` maps a ``grade_id`` to the learner's own code for that cell; ``skip`` leaves cells as released.
    """
    solutions = {cells.grade_id(c): c.source for c in source_nb.cells if cells.meta(c).get("solution")}
    for cell in release_nb.cells:
        grade_id = cells.grade_id(cell)
        if not cells.meta(cell).get("solution") or grade_id in skip:
            continue
        if answers and grade_id in answers:
            cell.source = answers[grade_id].strip("\n")
        else:
            cell.source = cells.without_markers(solutions[grade_id])
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
    return [cells.grade_id(c) for c in nb.cells if cells.is_answer(c)]

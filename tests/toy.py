"""A tiny two-chapter course built in a temporary folder, for testing the machinery without the real chapters."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = Path(__file__).resolve().parents[1]


def _nbgrader(grade_id: str, *, grade: bool, solution: bool, points: float | None = None) -> dict:
    meta = {"grade": grade, "grade_id": grade_id, "locked": grade and not solution, "schema_version": 3,
            "solution": solution, "task": False}
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def toy_notebook(body: str = "x = 1") -> nbformat.NotebookNode:
    params = new_code_cell('SMOKE = None\nDEVICE = "auto"\nSEED = 0', metadata={"tags": ["parameters"]})
    cells = [
        new_markdown_cell("# 99 · Toy"),
        params,
        new_code_cell("import course\nDEVICE, SMOKE, rng = course.setup(DEVICE, SEED, SMOKE)"),
        new_code_cell("def double(x):\n    ### BEGIN SOLUTION\n    y = 2 * x\n    ### END SOLUTION\n    return y",
                      metadata=_nbgrader("double", grade=False, solution=True)),
        new_code_cell("assert double(2) == 4, 'double(2) should be 4'\n### BEGIN HIDDEN TESTS\n"
                      "assert double(-3) == -6, 'double(-3) should be -6'\n### END HIDDEN TESTS",
                      metadata=_nbgrader("test_double", grade=True, solution=False, points=2)),
        new_markdown_cell("Why?\n\n### BEGIN SOLUTION\nBecause.\n### END SOLUTION",
                          metadata=_nbgrader("written_why", grade=True, solution=True, points=1)),
        new_code_cell(body),
    ]
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    return nb


def make_course(dest: Path, chapters: dict[str, str]) -> Path:
    """A course directory whose chapters are toy notebooks; ``chapters`` maps slug to the last cell's code."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy2(ROOT / "nbgrader_config.py", dest / "nbgrader_config.py")
    for slug, body in chapters.items():
        folder = dest / "source" / slug
        folder.mkdir(parents=True)
        nbformat.write(toy_notebook(body), folder / f"{slug}.ipynb")
    return dest

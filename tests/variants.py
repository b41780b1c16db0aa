"""Running the discrimination corpus ``autograder/variants/NN_slug.py`` against a chapter's test cells.

Each variant replaces one answer cell. Rather than executing the chapter once per variant, the harness inserts,
right after the exercise's own test cell, the variant's answer, a copy of the test cell, and the original answer
again (so later cells see the reference solution) — one kernel per chapter.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]


def load_variants(slug: str) -> list[dict]:
    path = ROOT / "autograder" / "variants" / f"{slug}.py"
    if not path.exists():
        return []
    spec = importlib.util.spec_from_file_location(f"variants_{slug}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.VARIANTS


def _error_text(cell) -> str | None:
    for out in cell.get("outputs", []):
        if out.get("output_type") == "error":
            return f"{out['ename']}: {out['evalue']}"
    return None


def run_variants(notebook: Path, variants: list[dict], timeout: int = 300) -> list[str]:
    """Execute every variant; return one line per variant that did not behave as declared."""
    nb = nbformat.read(notebook, as_version=4)
    by_id = {c.metadata.get("nbgrader", {}).get("grade_id"): i for i, c in enumerate(nb.cells)}
    cells = list(nb.cells)
    probes: list[tuple[int, dict]] = []
    for target in sorted({v["cell"] for v in variants}, key=lambda g: by_id[g], reverse=True):
        answer_at = by_id[target]
        answer = nb.cells[answer_at]
        test_cell = next(c for c in nb.cells[answer_at + 1:] if c.cell_type == "code")
        inserted = []
        for v in (v for v in variants if v["cell"] == target):
            probe = nbformat.v4.new_code_cell(test_cell.source)
            inserted += [nbformat.v4.new_code_cell(v["source"]), probe, nbformat.v4.new_code_cell(answer.source)]
            probes.append((id(probe), v))
        at = cells.index(test_cell) + 1
        cells[at:at] = inserted
    nb.cells = cells
    env_before = os.environ.get("COURSE_SMOKE")
    os.environ["COURSE_SMOKE"] = "1"
    os.environ["COURSE_HEADLESS"] = "1"
    try:
        NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=True,
                       resources={"metadata": {"path": str(notebook.parent)}}).execute()
    finally:
        if env_before is None:
            os.environ.pop("COURSE_SMOKE", None)
        else:
            os.environ["COURSE_SMOKE"] = env_before
    executed = {id(c): c for c in nb.cells}
    problems = []
    for key, v in probes:
        error = _error_text(executed[key])
        label = f"{v['cell']}: {v['why']}"
        if v["passes"] and error:
            problems.append(f"{label} should pass but failed with {error[:300]}")
        elif not v["passes"] and not error:
            problems.append(f"{label} should fail but passed")
        elif not v["passes"] and v.get("message") and v["message"].lower() not in error.lower():
            problems.append(f"{label} failed without the expected message {v['message']!r}: {error[:300]}")
        elif not v["passes"] and error.split(":")[0] not in ("AssertionError", "CheckFailed"):
            problems.append(f"{label} failed with {error.split(':')[0]}, not a test failure a learner can read")
    return problems

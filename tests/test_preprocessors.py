"""The course's nbgrader preprocessors, one by one, on small notebooks (the grading tests run them together)."""

from __future__ import annotations

import sys

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from course.grading.preprocessors import (
    DeduplicateIds,
    FlagForReview,
    SafeExecute,
    _normalised,
    imported_module_names,
    review_findings,
)


def _grade(source: str, grade_id: str, points: float = 1):
    return new_code_cell(source, metadata={"nbgrader": {
        "grade": True, "solution": False, "locked": True, "grade_id": grade_id, "points": points,
        "schema_version": 3}})


def _answer(source: str, grade_id: str = "answer"):
    return new_code_cell(source, metadata={"nbgrader": {
        "grade": False, "solution": True, "locked": False, "grade_id": grade_id, "schema_version": 3}})


def _notebook(between: str):
    """setup, answer, test 1, a learner's cell running ``between``, tests 2 and 3."""
    nb = new_notebook(cells=[
        new_code_cell("import numpy as np\nfrom course import check"),
        _answer("def double(x):\n    return 2 * x"),
        _grade("check.assert_close(double(2), 4, name='double(2)')", "test_one"),
        new_code_cell(between),
        _grade("check.assert_close(double(3), 6, name='double(3)')\nassert np.allclose(double(1), 2)", "test_two"),
        _grade("assert double(0) == 0", "test_three"),
    ])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def _errors(cell) -> list[str]:
    return [o["ename"] for o in cell.outputs if o["output_type"] == "error"]


# ----------------------------------------------------------------------------------------- review (static)

HONEST_LINES = [
    "import gc\ngc.collect()",
    "setattr(settings, 'tolerance', 1e-8)",
    "import torch\ntorch.backends.cudnn.benchmark = False",
    "model.eval()\nmodel.train()",
    "import re\nPATTERN = re.compile('x')",
    "fast = torch.compile(model)",
    "class A:\n    def __init__(self, **kw):\n        for k, v in kw.items():\n            setattr(self, k, v)",
    "import importlib\nimportlib.reload(course.check)",
    "names = list(globals())",
    "get_ipython().run_line_magic('matplotlib', 'inline')",
    "import os\nos.environ['OMP_NUM_THREADS'] = '1'",
    "plt.rcParams['figure.dpi'] = 100",
]

SUSPECT_LINES = {
    "check.assert_close = lambda *a, **k: None": "check.assert_close",
    "np.testing.assert_allclose = print": "np.testing.assert_allclose",
    "vars(check)['assert_close'] = print": "vars(check)",
    "check.__dict__['assert_close'] = print": "check.__dict__",
    "f.__code__ = g.__code__": "__code__",
    "object.__setattr__(check, 'assert_close', print)": "object.__setattr__",
    "get_ipython().set_custom_exc((Exception,), h)": "set_custom_exc",
    "get_ipython().input_transformers_cleanup.append(t)": "input_transformers_cleanup",
    "import sys\nsys.settrace(t)": "sys.settrace",
    "exec(code)": "exec",
    "import builtins\nbuiltins.all = lambda *a: True": "builtins.all",
    "import ctypes": "ctypes",
}


@pytest.mark.parametrize("source", HONEST_LINES)
def test_ordinary_code_is_not_flagged(source):
    assert review_findings(source, {"np", "torch", "check", "course", "plt", "re", "os", "gc", "importlib"}) == []


@pytest.mark.parametrize("source", SUSPECT_LINES)
def test_code_that_can_rewire_the_tests_is_flagged_with_its_line(source):
    found = review_findings(source, {"np", "check", "sys", "builtins"})
    assert found, source
    line, reason = found[0]
    assert line == source.count("\n") + 1 and SUSPECT_LINES[source] in reason


def test_module_names_are_found_without_importing_anything(tmp_path, monkeypatch):
    """The grader must not run a package's import-time code because a submission names it."""
    package = tmp_path / "boobytrap"
    (package / "inner").mkdir(parents=True)
    (package / "__init__.py").write_text("raise SystemExit('imported by the grader')\n")
    (package / "inner" / "__init__.py").write_text("raise SystemExit('imported by the grader')\n")
    (package / "tools.py").write_text("")
    monkeypatch.syspath_prepend(str(tmp_path))
    cells = [new_code_cell("import numpy as np\nfrom boobytrap import tools, helper as h\n"
                           "from boobytrap.inner import thing\nfrom os import path\nfrom . import sibling\n"
                           "from numpy import linalg as la, pi"),
             new_code_cell("import broken syntax here"),
             new_code_cell("from boobytrap import inner as i")]
    assert imported_module_names(cells) == {"np", "tools", "path", "la", "i"}
    assert "boobytrap" not in sys.modules


def test_comments_and_blank_lines_do_not_make_a_scaffold_cell_new():
    assert _normalised("x = 1\ny = f(x)") == _normalised("# my note\nx = 1\n\ny = f(x)  # why\n")
    assert _normalised("x = 1") != _normalised("x = 2")


def test_flag_for_review_records_findings_and_changes_no_output(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    nb = _notebook("check.assert_close = lambda *a, **k: None")
    nb.cells[2].outputs = [nbformat.v4.new_output("stream", text="ok")]
    out, _ = FlagForReview().preprocess(nb, {"nbgrader": {}})
    assert out.metadata["course"]["review"] == [
        "cell 3, line 1: assigns to `check.assert_close`, inside an imported module"]
    assert out.cells[2].outputs == [nbformat.v4.new_output("stream", text="ok")]


def test_duplicate_grade_ids_become_ordinary_cells():
    """nbgrader keeps the last cell with an id; the earlier copies lose their nbgrader key altogether."""
    nb = new_notebook(cells=[_answer("x = 1", "a"), _answer("x = 2", "a")])
    out, _ = DeduplicateIds().preprocess(nb, {})
    assert "nbgrader" not in out.cells[0].metadata and out.cells[1].metadata["nbgrader"]["grade_id"] == "a"


# ----------------------------------------------------------------------------------------- run time (a kernel)


def _execute(nb, tmp_path):
    out, _ = SafeExecute(timeout=60).preprocess(nb, {"metadata": {"path": str(tmp_path)}})
    return out


@pytest.mark.kernel
@pytest.mark.parametrize("between", ["import importlib, course.check\nimportlib.reload(course.check)",
                                     "import gc\ngc.collect()\nsetattr(check, '__doc__', check.__doc__)"])
def test_honest_code_runs_every_test_untouched(between, tmp_path):
    nb = _execute(_notebook(between), tmp_path)
    assert _errors(nb.cells[2]) == [] and _errors(nb.cells[4]) == [] and _errors(nb.cells[5]) == []
    assert all("integrity" not in str(o) for c in nb.cells for o in c.get("outputs", [])), "probes leave no trace"


@pytest.mark.kernel
@pytest.mark.parametrize("between, named", [
    ("check.assert_close = lambda *a, **k: None", "course.check.assert_close"),
    ("np.allclose = lambda *a, **k: True", "numpy.allclose"),
    ("import sys\nsys.settrace(lambda *a: None)", "tracer"),
    ("get_ipython().ast_transformers.append(__import__('ast').NodeTransformer())", "AST transformer"),
])
def test_changed_machinery_voids_that_test_and_later_ones_only(between, named, tmp_path):
    nb = _execute(_notebook(between), tmp_path)
    assert _errors(nb.cells[2]) == [], "a test that ran before the change keeps its result"
    assert _errors(nb.cells[4])[:1] == ["TamperingDetected"] and _errors(nb.cells[5])[:1] == ["TamperingDetected"]
    assert named in nb.cells[4].outputs[0]["evalue"]


@pytest.mark.kernel
def test_a_dead_kernel_keeps_earlier_results_and_fails_the_rest(tmp_path):
    nb = _execute(_notebook("import os\nos._exit(1)"), tmp_path)
    assert _errors(nb.cells[2]) == []
    assert _errors(nb.cells[3]) == ["KernelDied"] and _errors(nb.cells[4]) == ["NotRun"] == _errors(nb.cells[5])

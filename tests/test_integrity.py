"""course.grading.integrity without a kernel: the probe runs in this process against a stand-in IPython shell."""

from __future__ import annotations

import types

import numpy as np
import pytest

from course.grading import integrity


class FakeShell:
    """The parts of IPython's shell the probe reads; published outputs are kept as a kernel would send them."""

    def __init__(self):
        self.custom_exceptions, self.CustomTB = (), None
        self.input_transformers_cleanup, self.input_transformers_post, self.ast_transformers = [], [], []
        self.input_transformer_manager = types.SimpleNamespace(cleanup_transforms=[], line_transforms=[],
                                                               token_transformers=[])
        self.compile, self.InteractiveTB = compile, None
        self.events = types.SimpleNamespace(callbacks={"pre_run_cell": []})
        self.user_ns: dict = {}
        self.outputs: list = []
        self.display_pub = types.SimpleNamespace(
            publish=lambda data: self.outputs.append({"output_type": "display_data", "data": data}))


@pytest.fixture
def run():
    shell = FakeShell()

    def run(code: str) -> list:
        shell.outputs = []
        try:
            exec(code, {"get_ipython": lambda: shell})
        except AssertionError as exc:
            shell.outputs.append({"output_type": "error", "ename": "AssertionError", "evalue": str(exc)})
        return shell.outputs

    run.shell = shell
    return run


def test_nothing_changed_means_no_differences(run):
    guard = integrity.Guard(["check.assert_close(x, 1)"], want_torch=False)
    assert guard.start(run)
    assert guard.check(run) == []
    assert guard.calls == ["check.assert_close"]


def test_a_patched_function_is_named(run, monkeypatch):
    guard = integrity.Guard([], want_torch=False)
    assert guard.start(run)
    monkeypatch.setattr(np, "allclose", lambda *a, **k: True)
    found = guard.check(run)
    assert "numpy.allclose was replaced or modified" in found
    assert "numpy.allclose says that different values are equal" in found


def test_a_fake_bound_to_the_name_the_tests_use_is_caught(run):
    guard = integrity.Guard(["check.assert_close(a, b)"], want_torch=False)
    assert guard.start(run)
    run.shell.user_ns["check"] = types.SimpleNamespace(assert_close=lambda *a, **k: None)
    assert guard.check(run) == ["check.assert_close (as the tests call it) says that different values are equal"]
    run.shell.user_ns["check"] = types.SimpleNamespace()  # broken, not lying: the tests themselves will fail
    assert guard.check(run) == []


def test_ipython_hooks_are_caught(run):
    guard = integrity.Guard([], want_torch=False)
    assert guard.start(run)
    run.shell.ast_transformers.append(object())
    assert any("AST transformer" in f for f in guard.check(run))


def test_a_swallowed_probe_is_itself_a_finding(run):
    guard = integrity.Guard([], want_torch=False)
    assert guard.start(run)
    assert guard.check(lambda code: []) == [
        "the grader's integrity check did not report back: its code was rewritten or its output swallowed"]
    silent = guard.check(lambda code: [o for o in run(code) if o["output_type"] != "error"])
    assert silent and "did not show up as an error" in silent[0]


def test_a_forged_report_needs_the_nonce(run):
    report, raised = integrity.read_report(
        [{"output_type": "display_data", "data": {integrity.MIME: repr(("other", {}))}}], "mine")
    assert report is None and not raised


def test_comparison_calls_are_read_from_test_code():
    calls = integrity.comparison_calls([
        "check.assert_close(f(x), y)\nassert np.allclose(a, b)\nnp.testing.assert_allclose(a, b)\n"
        "check.assert_shape(x, (2,))\nassert_close(a, b)\nprint(len(x))", "syntax error("])
    assert calls == {"check.assert_close", "np.allclose", "np.testing.assert_allclose", "assert_close"}


def test_wrong_values_differ_beyond_any_tolerance():
    for _ in range(100):
        a, b = integrity.wrong_values()
        assert b - a >= 1


def test_differences_ignore_names_added_after_the_baseline():
    baseline = {"module numpy": 1, "names numpy": {"allclose": 5}}
    assert integrity.differences(baseline, {"module numpy": 2, "names numpy": {"allclose": 5, "fft": 9}}) == []
    assert integrity.differences(baseline, {"module numpy": 2, "names numpy": {"allclose": 6}}) == [
        "numpy.allclose was replaced or modified"]

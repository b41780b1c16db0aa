"""nbgrader preprocessors the course adds to nbgrader's own pipelines (configured in ``nbgrader_config.py``).

- :class:`SafeExecute` keeps the grades a submission earned before its kernel died.
- :class:`DetectTampering` voids the tests that run after code which rewires the testing machinery.
- :class:`HideHiddenTests` keeps hidden tests out of the feedback a learner reads.
- :class:`DeduplicateIds` makes a duplicated cell an ordinary cell instead of crashing autograde.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat import NotebookNode
from nbgrader.preprocessors import ClearHiddenTests, Execute, NbGraderPreprocessor
from nbgrader.preprocessors import DeduplicateIds as NbGraderDeduplicateIds
from nbgrader.utils import is_grade


class DeduplicateIds(NbGraderDeduplicateIds):
    """nbgrader's DeduplicateIds leaves ``metadata.nbgrader = {}`` on a duplicate, which later preprocessors read
    as an nbgrader cell without a ``grade_id`` (KeyError: the whole submission fails). Drop the key instead."""

    def preprocess_cell(self, cell: NotebookNode, resources: Any, cell_index: int):
        cell, resources = super().preprocess_cell(cell, resources, cell_index)
        if cell.metadata.get("nbgrader") == {}:
            del cell.metadata["nbgrader"]
        return cell, resources


def error_output(ename: str, evalue: str) -> NotebookNode:
    return NotebookNode(output_type="error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"])


class SafeExecute(Execute):
    """nbgrader's Execute, except that a dead kernel fails the rest of the notebook instead of the whole of it.

    A crash (``os._exit``, a segfault, a resource limit) ends execution; the tests that already ran keep their
    results, the crashing cell says what happened, and every later test cell fails with an explanation.
    """

    def preprocess(self, nb: NotebookNode, resources: Any = None, km: Any = None):
        self._died_at: int | None = None
        return super().preprocess(nb, resources, km)

    def preprocess_cell(self, cell: NotebookNode, resources: Any, index: int):
        if self._died_at is not None:
            if cell.cell_type == "code" and is_grade(cell):
                cell.outputs = [error_output("NotRun", f"not run: the kernel died in cell {self._died_at}")]
            return cell, resources
        try:
            return super().preprocess_cell(cell, resources, index)
        except DeadKernelError:
            self._died_at = index
            cell.outputs.append(error_output(
                "KernelDied", "the kernel died while running this cell (a crash, os._exit, or a memory, CPU-time or "
                "process limit of the grading sandbox); the cells after it were not run"))
            return cell, resources
        except CellTimeoutError:
            self._died_at = index
            cell.outputs.append(error_output(
                "CellTimeoutError", f"this cell ran past the {self.timeout} s limit and could not be interrupted; "
                "the cells after it were not run"))
            return cell, resources


FORBIDDEN_CALLS = {
    "exec": "runs code the grader cannot inspect",
    "eval": "runs code the grader cannot inspect",
    "compile": "builds code the grader cannot inspect",
    "__import__": "imports modules dynamically",
    "setattr": "changes attributes by name",
    "delattr": "deletes attributes by name",
    "globals": "rewrites the notebook's globals",
    "get_ipython": "reconfigures IPython, which runs the tests",
    "settrace": "installs a tracer that can rewrite execution",
    "setprofile": "installs a profiler hook",
    "_getframe": "inspects and rewrites call frames",
    "currentframe": "inspects and rewrites call frames",
    "get_referrers": "reaches objects through the garbage collector",
    "get_objects": "reaches objects through the garbage collector",
}
FORBIDDEN_MODULES = {"builtins", "ctypes", "importlib", "gc", "inspect", "IPython", "unittest.mock"}
PROTECTED_ROOTS = {"__builtins__", "builtins", "sys", "AssertionError"}
PLOTTING = {"plt", "matplotlib", "mpl"}


def _root_name(node: ast.AST) -> str | None:
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _dotted(node: ast.AST) -> str:
    try:
        return ast.unparse(node)
    except Exception:  # noqa: BLE001 - only used for a message
        return "an attribute"


def find_tampering(source: str, module_names: set[str]) -> list[tuple[int, str]]:
    """(line, reason) for each construct in ``source`` that could change how later tests behave.

    ``module_names`` are the names the notebook binds to imported modules (``np``, ``check``, ``course``...):
    assigning to an attribute of one of them, e.g. ``check.assert_close = ...``, replaces what tests call.
    """
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    found = []
    for node in ast.walk(tree):
        targets: list[ast.AST] = []
        if isinstance(node, (ast.Assign, ast.Delete)):
            targets = node.targets
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
            targets = [node.target]
        for target in targets:
            root = _root_name(target)
            if isinstance(target, (ast.Attribute, ast.Subscript)) and root in module_names | PROTECTED_ROOTS:
                found.append((node.lineno, f"assigns to `{_dotted(target)}`, which the tests may use"))
            elif isinstance(target, ast.Name) and target.id in PROTECTED_ROOTS | {"assert_close", "check"}:
                found.append((node.lineno, f"rebinds `{target.id}`, which the tests use"))
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None
            if name in FORBIDDEN_CALLS:
                found.append((node.lineno, f"calls `{name}`, which {FORBIDDEN_CALLS[name]}"))
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            mods = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            for mod in mods:
                if mod in FORBIDDEN_MODULES or mod.split(".")[0] in {"builtins", "ctypes", "importlib", "gc"}:
                    found.append((node.lineno, f"imports `{mod}`, which can rewrite the testing machinery"))
    return sorted(set(found))


def imported_module_names(cells: list[NotebookNode]) -> set[str]:
    """Names bound by ``import x``, ``import x as y`` and ``from pkg import module`` anywhere in the notebook."""
    import importlib.util

    names: set[str] = set()
    for cell in cells:
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names.update((a.asname or a.name).split(".")[0] for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module:
                for a in node.names:
                    try:
                        is_module = importlib.util.find_spec(f"{node.module}.{a.name}") is not None
                    except (ImportError, ValueError):
                        is_module = False
                    if is_module:
                        names.add(a.asname or a.name)
    return names


class DetectTampering(NbGraderPreprocessor):
    """Fail every test that runs after student code which rewires the testing machinery.

    Student code shares the kernel with the tests, so a line like ``check.assert_close = lambda *a, **k: None``
    or an IPython input transformer could make every later test pass. Such code is found statically in the cells a
    student can edit (everything but grade cells, which nbgrader restores); the tests after it get an error that
    names the line, so they score zero and the feedback says why. Tests before it keep what they earned.
    """

    def instructor_cells(self, resources: Any) -> set[str]:
        """Sources of the code cells in ``source/`` (run from the course root, as nbgrader is): never suspect."""
        import nbformat

        info = resources.get("nbgrader", {})
        path = Path("source") / str(info.get("assignment", "")) / f"{info.get('notebook', '')}.ipynb"
        if not path.is_file():
            return set()
        return {c.source.strip() for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"}

    def preprocess(self, nb: NotebookNode, resources: Any):
        modules = imported_module_names([c for c in nb.cells if c.cell_type == "code"]) - PLOTTING
        trusted = self.instructor_cells(resources)
        reason = None
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            if is_grade(cell):
                if reason is not None:
                    cell.outputs.append(error_output("TamperingDetected", reason))
                continue
            suspect = reason is None and cell.source.strip() not in trusted
            hits = find_tampering(cell.source, modules) if suspect else []
            if hits:
                line, what = hits[0]
                reason = (f"cell {index}, line {line} {what}; tests after it cannot be trusted and score 0. "
                          "Remove that code and resubmit.")
                self.log.warning("Tampering in %s: %s", resources.get("unique_key", "notebook"), reason)
        return nb, resources


class HideHiddenTests(ClearHiddenTests):
    """Feedback preprocessor: drop hidden-test code from test cells and tracebacks that would quote it.

    nbgrader's feedback shows hidden tests by design (jupyter/nbgrader#917). Learners here may resubmit, so the
    feedback keeps each failing test's error name and message but neither the hidden code nor its traceback.
    """

    def preprocess_cell(self, cell, resources, cell_index):
        cell, resources = super().preprocess_cell(cell, resources, cell_index)
        if cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("grade"):
            for out in cell.get("outputs", []):
                if out.get("output_type") == "error":
                    out["traceback"] = [f"{out.get('ename', 'Error')}: {out.get('evalue', '')}"]
        return cell, resources

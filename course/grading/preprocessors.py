"""nbgrader preprocessors the course adds to nbgrader's own pipelines (configured in ``nbgrader_config.py``).

- :class:`SafeExecute` keeps the grades a submission earned before its kernel died, and voids the tests that run
  after the testing machinery was changed (checked at run time, :mod:`course.grading.integrity`).
- :class:`FlagForReview` points a person at unusual code without touching a score.
- :class:`HideHiddenTests` keeps hidden tests out of the feedback a learner reads.
- :class:`DeduplicateIds` makes a duplicated cell an ordinary cell instead of crashing autograde.
"""

from __future__ import annotations

import ast
import importlib.machinery
import importlib.util
import re
import sys
from pathlib import Path
from typing import Any

from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat import NotebookNode
from nbformat.v4 import new_code_cell
from nbgrader.preprocessors import ClearHiddenTests, Execute, NbGraderPreprocessor
from nbgrader.preprocessors import DeduplicateIds as NbGraderDeduplicateIds
from nbgrader.utils import is_grade
from traitlets import Bool

from course.grading import integrity
from course.grading.sandbox import KERNEL_NAME, SandboxUnavailable, Slot


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
    """nbgrader's Execute, plus two guarantees a grade relies on.

    - A dead kernel fails the rest of the notebook instead of the whole of it: a crash (``os._exit``, a segfault,
      a resource limit) ends execution, the tests that already ran keep their results, the crashing cell says what
      happened and every later test cell fails with an explanation.
    - The testing machinery is checked at run time (:mod:`course.grading.integrity`): a baseline before the first cell,
      a probe after every test cell. When a probe finds the machinery changed, that test and every later one
      score 0 with a ``TamperingDetected`` error naming what changed (the cells after it are not run); earlier
      tests keep their points.
    """

    integrity_checks = Bool(True, help="Probe the testing machinery after every test cell.").tag(config=True)
    sandbox = Bool(True, help="Start the kernel in the grading sandbox (course.grading.sandbox), whoever asks for the "
                              "grading: `nbgrader autograde`, the formgrader or `course grade`. Turn off only "
                              "for trusted submissions.").tag(config=True)

    def preprocess(self, nb: NotebookNode, resources: Any = None, km: Any = None):
        self._died_at: int | None = None
        self._voided: str | None = None
        self._guard: integrity.Guard | None = None
        if self.integrity_checks:
            code = [c.source for c in nb.cells if c.cell_type == "code"]
            self._guard = integrity.Guard([c.source for c in nb.cells if c.cell_type == "code" and is_grade(c)],
                                          want_torch=any(re.search(r"^\s*(import|from)\s+torch\b", s, re.M)
                                                         for s in code))
        self._slot: Slot | None = None
        if self.sandbox and self.kernel_name != KERNEL_NAME and km is None:
            try:
                self._slot = Slot.create(Path.cwd())
            except SandboxUnavailable as exc:
                raise SandboxUnavailable(
                    f"refusing to run student code unsandboxed: {exc}. To grade trusted submissions without the "
                    "sandbox, set c.SafeExecute.sandbox = False in nbgrader_config.py") from exc
        try:
            return super().preprocess(nb, resources, km)
        finally:
            if self._slot is not None:
                self._slot.remove()

    def create_kernel_manager(self):
        km = super().create_kernel_manager()
        if self._slot is not None:  # nbgrader autograde or the formgrader: `course grade` chose its own slot
            self._slot.configure(km)
        return km

    def _run_aside(self, code: str, index: int) -> list:
        """Execute ``code`` in the kernel without it becoming part of the notebook; return its outputs."""
        probe = new_code_cell(code)
        original = self.nb.cells[index]
        try:
            self.execute_cell(probe, index, store_history=False)
        finally:
            self.nb.cells[index] = original
        return probe.outputs

    def preprocess_cell(self, cell: NotebookNode, resources: Any, index: int):
        if self._died_at is not None:
            if cell.cell_type == "code" and is_grade(cell):
                cell.outputs = [error_output("NotRun", f"not run: the kernel died in cell {self._died_at}")]
            return cell, resources
        if self._voided is not None:  # nothing after this can earn points: spare the sandbox the work
            if cell.cell_type == "code" and is_grade(cell):
                cell.outputs = [error_output("TamperingDetected", self._voided)]
            return cell, resources
        guard = self._guard
        if guard is not None and guard.baseline is None and cell.cell_type == "code" \
                and not guard.start(lambda code: self._run_aside(code, index)):
            self.log.warning("Integrity checks off for this notebook: %s", guard.unavailable)
            self._guard = None
        try:
            cell, resources = super().preprocess_cell(cell, resources, index)
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
        if cell.cell_type == "code" and is_grade(cell):
            self._check_integrity(cell, index)
        return cell, resources

    def _check_integrity(self, cell: NotebookNode, index: int) -> None:
        if self._voided is None and self._guard is not None:
            try:
                changed = self._guard.check(lambda code: self._run_aside(code, index))
            except (DeadKernelError, CellTimeoutError) as exc:
                changed = [f"the grader's integrity check could not finish ({type(exc).__name__})"]
                self._died_at = index
            if changed:
                self._voided = (f"the testing machinery was changed by the code that ran up to this test: "
                                f"{'; '.join(changed[:5])}. This test and every later one score 0. Remove the code "
                                "that does this and resubmit.")
                self.log.warning("Tampering in cell %d: %s", index, "; ".join(changed))
                cell.outputs.insert(0, error_output("TamperingDetected", self._voided))


SAFE_TARGETS = ("torch.backends.", "os.environ", "plt.", "matplotlib.", "mpl.", "pd.options", "warnings.")
IPYTHON_HOOKS = {"set_custom_exc", "input_transformers_cleanup", "input_transformers_post", "ast_transformers",
                 "input_transformer_manager", "CustomTB", "custom_exceptions", "showtraceback", "_showtraceback",
                 "events", "run_cell", "run_ast_nodes", "run_code", "displayhook", "display_pub"}
HOOK_CALLS = {"sys.settrace": "installs a tracer", "sys.setprofile": "installs a profiler hook",
              "threading.settrace": "installs a tracer", "sys._getframe": "reaches into call frames",
              "inspect.currentframe": "reaches into call frames", "gc.get_referrers": "reaches objects through the "
              "garbage collector", "gc.get_objects": "reaches objects through the garbage collector"}
DYNAMIC_CODE = {"exec": "runs code built at run time", "eval": "runs code built at run time",
                "compile": "builds code at run time", "__import__": "imports a module by name"}


def _dotted(node: ast.AST) -> str:
    try:
        return ast.unparse(node)
    except Exception:  # noqa: BLE001 - only used for a message
        return "an attribute"


def _root_name(node: ast.AST) -> str | None:
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Call)):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


def review_findings(source: str, module_names: set[str]) -> list[tuple[int, str]]:
    """(line, reason) for each construct in ``source`` a person may want to look at; nothing here costs points.

    What matters for a grade is whether the testing machinery really changed, which :class:`SafeExecute` checks
    at run time. These findings point a reader at the code that would be worth a look if a score seems odd:
    assignments into imported modules (``check.assert_close = ...``), code swapped into functions, IPython hooks,
    tracers, and code built at run time. Ordinary calls of the same names (``model.eval()``, ``re.compile``,
    ``setattr(self, ...)``, ``gc.collect()``) are not findings.
    """
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    modules = module_names | {"builtins", "sys", "__builtins__"}
    found = []
    for node in ast.walk(tree):
        targets: list[ast.AST] = []
        if isinstance(node, (ast.Assign, ast.Delete)):
            targets = node.targets
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
            targets = [node.target]
        for target in targets:
            text = _dotted(target)
            if not isinstance(target, (ast.Attribute, ast.Subscript)) or text.startswith(SAFE_TARGETS):
                continue
            if _root_name(target) in modules:
                found.append((node.lineno, f"assigns to `{text}`, inside an imported module"))
            elif isinstance(target, ast.Attribute) and target.attr in ("__code__", "__dict__", "__globals__",
                                                                        "__defaults__", "__class__"):
                found.append((node.lineno, f"assigns to `{text}`, which swaps what a function or object is"))
            elif isinstance(target, ast.Subscript) and re.match(r"(vars\(|.*\.__dict__$)", _dotted(target.value)):
                found.append((node.lineno, f"writes into `{_dotted(target.value)}`"))
        if isinstance(node, ast.Call):
            name = _dotted(node.func)
            if isinstance(node.func, ast.Name) and name in DYNAMIC_CODE:
                found.append((node.lineno, f"calls `{name}`, which {DYNAMIC_CODE[name]}"))
            elif name in HOOK_CALLS:
                found.append((node.lineno, f"calls `{name}`, which {HOOK_CALLS[name]}"))
            elif name in ("setattr", "delattr", "object.__setattr__", "object.__delattr__") and node.args \
                    and _root_name(node.args[0]) in modules:
                found.append((node.lineno, f"calls `{name}` on `{_dotted(node.args[0])}`, an imported module"))
        if isinstance(node, ast.Attribute) and node.attr in IPYTHON_HOOKS and "get_ipython" in _dotted(node.value):
            found.append((node.lineno, f"uses `{_dotted(node)}`, which changes how IPython runs the tests"))
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            mods = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            found += [(node.lineno, f"imports `{m}`") for m in mods if m.split(".")[0] == "ctypes" or m ==
                      "unittest.mock"]
    return sorted(set(found))


def imported_module_names(cells: list[NotebookNode]) -> set[str]:
    """Names bound by ``import x``, ``import x as y`` and ``from pkg import module`` anywhere in the notebook."""
    names: set[str] = set()
    for cell in cells:
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names.update((a.asname or a.name).split(".")[0] for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.update(a.asname or a.name for a in node.names if is_module(f"{node.module}.{a.name}"))
    return names


def is_module(dotted: str) -> bool:
    """Whether ``dotted`` names a module that could be imported, found without importing anything.

    ``importlib.util.find_spec("pkg.sub")`` imports ``pkg``: the grader would run the import-time code of whatever
    package a submission names, unsandboxed, and it cost seconds per submission (scikit-learn, SciPy, torch) in
    a grading process forked fresh for each one. Parents are looked up on the file system instead.
    """
    if sys.modules.get(dotted) is not None:
        return True
    parts = dotted.split(".")
    try:
        spec = importlib.util.find_spec(parts[0])
        for depth in range(1, len(parts)):
            if spec is None or spec.submodule_search_locations is None:
                return False
            spec = importlib.machinery.PathFinder.find_spec(".".join(parts[:depth + 1]),
                                                            spec.submodule_search_locations)
    except (ImportError, ValueError):
        return False
    return spec is not None


def _normalised(source: str) -> str:
    """The code without comments, blank lines or layout: a scaffold cell the learner only annotated is unchanged."""
    try:
        return ast.dump(ast.parse(source))
    except SyntaxError:
        return source.strip()


class FlagForReview(NbGraderPreprocessor):
    """Point a person at unusual code in the cells a learner edited; never change a score.

    Runs after ``SaveAutoGrades``: each finding goes into the notebook's metadata (``course.review``, read back by
    ``course grade`` into ``grades.csv`` and ``grading-report.txt``) and into the formgrader, as the automatic
    comment of the answer cell it is in or follows.
    """

    def instructor_cells(self, resources: Any) -> set[str]:
        """The code cells of ``source/`` (run from the course root, as nbgrader is), compared without comments."""
        import nbformat

        info = resources.get("nbgrader", {})
        path = Path("source") / str(info.get("assignment", "")) / f"{info.get('notebook', '')}.ipynb"
        if not path.is_file():
            return set()
        return {_normalised(c.source) for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"}

    def preprocess(self, nb: NotebookNode, resources: Any):
        modules = imported_module_names([c for c in nb.cells if c.cell_type == "code"])
        trusted = self.instructor_cells(resources)
        findings: list[dict] = []
        answer_id = None
        for index, cell in enumerate(nb.cells):
            meta = cell.metadata.get("nbgrader", {})
            if meta.get("solution"):
                answer_id = meta.get("grade_id")
            if cell.cell_type != "code" or is_grade(cell) or _normalised(cell.source) in trusted:
                continue
            for line, reason in review_findings(cell.source, modules):
                findings.append({"cell": index, "line": line, "reason": reason, "answer": answer_id
                                 or next((c.metadata["nbgrader"]["grade_id"] for c in nb.cells
                                          if c.metadata.get("nbgrader", {}).get("solution")), None)})
        nb.metadata.setdefault("course", {})["review"] = [f"cell {f['cell']}, line {f['line']}: {f['reason']}"
                                                          for f in findings]
        if findings:
            self.log.info("Flagged for review: %s", nb.metadata["course"]["review"])
            self._comment(findings, resources)
        return nb, resources

    def _comment(self, findings: list[dict], resources: Any) -> None:
        from nbgrader.api import Gradebook, MissingEntry

        info = resources.get("nbgrader", {})
        if not info.get("db_url"):
            return
        by_answer: dict[str, list[str]] = {}
        for f in findings:
            if f["answer"]:
                by_answer.setdefault(f["answer"], []).append(f"cell {f['cell']}, line {f['line']}: {f['reason']}")
        with Gradebook(info["db_url"]) as gb:
            for grade_id, lines in by_answer.items():
                try:
                    comment = gb.find_comment(grade_id, info["notebook"], info["assignment"], info["student"])
                except MissingEntry:
                    continue
                comment.auto_comment = ("Flagged for review by the grader (no points were taken): "
                                        + "; ".join(lines))
            gb.db.commit()


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

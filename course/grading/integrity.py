"""Run-time integrity checks for grading: is the testing machinery still what the tests think it is?

A learner's code shares its kernel with the tests that grade it, so it could rewire what those tests rely on
(``check.assert_close``, ``np.allclose``, IPython's exception handling, a tracer...). Reading the code for
suspicious names punishes honest code and misses new tricks, so the grader watches behaviour instead:

1. before the first cell runs it sends the kernel :func:`probe` (as source text, never stored in the notebook),
   which records a fingerprint of everything tests rely on; the fingerprints come back and stay with the grader;
2. after each graded test cell it sends the probe again: fingerprints must be unchanged, comparisons built from
   values drawn at that moment must still fail, classes defined by the learner must not claim that different
   arrays are equal, and the probe's own deliberate failure must still reach the grader as an error output.

A fingerprint is by content (the bytecode of a function, the identity of a C object), so re-importing or
reloading a module is not a change; replacing, patching or re-coding a function is. :func:`differences` says, in
words a person can act on, what changed. What this does not catch is documented in ``autograder/README.md``.
"""

from __future__ import annotations

import ast
import inspect
import secrets
import textwrap
from collections.abc import Iterable

MIME = "application/x-course-integrity"

#: Modules whose every public name tests may rely on, directly or through helpers they call.
MODULES = ("course", "course.check", "numpy", "numpy.testing", "numpy.testing._private.utils",
           "numpy._core.numeric", "numpy.core.numeric", "builtins", "torch.testing", "torch.testing._comparison")
#: Names of comparison functions: a call to one of these in a test cell is re-tried with wrong values.
COMPARISONS = ("assert_close", "assert_allclose", "allclose", "isclose", "array_equal", "assert_array_equal",
               "assert_equal", "assert_array_almost_equal", "assert_almost_equal", "equal")
#: Builtins IPython adds, removes or rebinds on its own while cells run.
VOLATILE_BUILTINS = ("_", "__", "___", "display", "get_ipython", "exit", "quit", "__IPYTHON__", "__builtins__")


def probe(nonce: str, detail: bool, calls: list[str], wrong: tuple[float, float], want_torch: bool) -> None:
    """Runs inside the kernel (its source is sent, so it imports what it needs and leaves no names behind).

    Publishes ``{key: fingerprint}`` as a display output tagged ``nonce``; with ``detail`` a module's
    fingerprint is a dict of its names, otherwise one hash. (A separate one-line cell then fails on
    purpose: :func:`deliberate_failure`.)
    """
    import builtins
    import sys
    import types

    import numpy as np
    import numpy.testing  # noqa: F401

    import course.check  # noqa: F401 - fingerprinted below
    if want_torch:
        import torch  # noqa: F401
        import torch.testing  # noqa: F401

    def code_fp(co):
        consts = tuple(code_fp(c) if isinstance(c, types.CodeType) else repr(c)[:80] for c in co.co_consts)
        return hash((co.co_code, co.co_names, consts))

    def short(v):
        return repr(v)[:80] if isinstance(v, (int, float, str, bytes, bool, type(None))) else type(v).__name__

    def fp(x, depth=0):
        if isinstance(x, types.FunctionType):
            kw = tuple(sorted((k, short(v)) for k, v in (x.__kwdefaults__ or {}).items()))
            return hash(("f", code_fp(x.__code__), tuple(short(d) for d in x.__defaults__ or ()), kw))
        if isinstance(x, types.MethodType):
            return hash(("m", fp(x.__func__, depth), type(x.__self__).__qualname__))
        if isinstance(x, (staticmethod, classmethod)):
            return hash(("s", fp(x.__func__, depth)))
        if isinstance(x, property):
            return hash(("p", fp(x.fget, depth), fp(x.fset, depth)))
        if isinstance(x, types.ModuleType):
            return hash(("M", x.__name__))
        if isinstance(x, type):
            if not x.__flags__ & (1 << 9):  # a static (C) type: its identity is its content
                return hash(("T", id(x)))
            members = () if depth else tuple(sorted(
                (k, fp(v, 1)) for k, v in vars(x).items()
                if isinstance(v, (types.FunctionType, staticmethod, classmethod, property))))
            return hash(("t", x.__qualname__, members))
        impl = getattr(x, "_implementation", None)  # numpy's array-function dispatchers wrap a Python function
        if isinstance(impl, types.FunctionType):
            return hash(("d", fp(impl, depth), id(type(x))))
        if isinstance(x, (types.BuiltinFunctionType, np.ufunc)) or type(x).__name__.endswith("descriptor"):
            return hash(("c", id(x)))
        if isinstance(x, (int, float, str, bytes, bool, type(None))):
            return hash(("v", short(x)))
        return hash(("o", type(x).__module__, type(x).__qualname__))

    report = {}

    def names(where, items):
        report["module " + where] = hash(tuple(sorted(items.items())))
        if detail:
            report["names " + where] = items

    for name in MODULES:
        mod = sys.modules.get(name)
        if mod is not None:
            skip = VOLATILE_BUILTINS if name == "builtins" else ()
            names(name, {k: fp(v) for k, v in list(vars(mod).items())
                         if not (k.startswith("__") and k.endswith("__")) and k not in skip})
    if "torch" in sys.modules:
        torch = sys.modules["torch"]
        names("torch", {k: fp(getattr(torch, k, None)) for k in (
            "allclose", "isclose", "equal", "eq", "all", "any", "abs", "isfinite", "tensor", "as_tensor",
            "from_numpy", "is_tensor", "testing", "Tensor")})
        names("torch.Tensor", {k: fp(v) for k, v in vars(torch.Tensor).items()})
    for name in MODULES + ("torch",):
        if name in sys.modules:
            report["sys.modules " + name] = id(sys.modules[name])
    report["sys.excepthook"] = fp(sys.excepthook)
    report["sys.displayhook"] = fp(sys.displayhook)
    report["sys.settrace"] = fp(sys.gettrace())
    report["sys.setprofile"] = fp(sys.getprofile())
    report["threading.settrace"] = fp(getattr(sys.modules.get("threading"), "_trace_hook", None))

    shell = get_ipython()  # noqa: F821 - IPython's builtin inside the kernel
    cls = type(shell)
    report["IPython custom exceptions"] = (tuple(id(e) for e in shell.custom_exceptions), fp(shell.CustomTB))
    for attr in ("showtraceback", "_showtraceback", "showsyntaxerror", "run_cell", "run_cell_async",
                 "run_ast_nodes", "run_code", "transform_cell", "transform_ast", "should_run_async"):
        report["IPython " + attr] = (attr in vars(shell), fp(getattr(cls, attr, None)))
    report["IPython input transformers"] = tuple(fp(t) for t in shell.input_transformers_cleanup) + \
        tuple(fp(t) for t in shell.input_transformers_post)
    manager = shell.input_transformer_manager
    report["IPython transformer manager"] = tuple(
        fp(t) for t in [*manager.cleanup_transforms, *manager.line_transforms, *manager.token_transformers])
    report["IPython AST transformers"] = tuple(fp(t) for t in shell.ast_transformers)
    report["IPython compiler"] = (fp(type(shell.compile)), "compile" in vars(shell) and id(shell.compile))
    report["IPython traceback formatter"] = (fp(type(shell.InteractiveTB)), id(shell.InteractiveTB))

    def learner_code(f):
        code = getattr(getattr(f, "__func__", f), "__code__", None)
        return code is not None and ("ipykernel_" in code.co_filename or code.co_filename.startswith("<"))

    report["IPython events"] = tuple(sorted(
        (event, fp(cb)) for event, cbs in shell.events.callbacks.items() for cb in cbs if learner_code(cb)))

    # behaviour: comparisons of values the learner has never seen must fail, through every route tests take
    a, b = wrong
    lying = []

    def lies(label, call):
        try:
            result = call()
        except BaseException:
            return
        try:
            if result is None or bool(np.all(result)):
                lying.append(label)
        except BaseException:
            pass

    def arrays(kind):
        if kind == "torch":
            torch = sys.modules["torch"]
            return torch.tensor([a], dtype=torch.float64), torch.tensor([b], dtype=torch.float64)
        return np.array([a]), np.array([b])

    genuine = [("course.check", "assert_close"), ("numpy.testing", "assert_allclose"),
               ("numpy.testing", "assert_array_equal"), ("numpy", "allclose"), ("numpy", "isclose"),
               ("numpy", "array_equal")]
    if "torch" in sys.modules:
        genuine += [("torch.testing", "assert_close"), ("torch", "allclose"), ("torch", "equal")]
    for mod, attr in genuine:
        fn = getattr(sys.modules[mod], attr, None)
        if fn is not None:
            lies(f"{mod}.{attr}", lambda fn=fn, mod=mod: fn(*arrays("torch" if mod.startswith("torch") else "np")))
    namespace = shell.user_ns
    for chain in calls:
        root, *rest = chain.split(".")
        obj = namespace[root] if root in namespace else getattr(builtins, root, None)
        try:
            for part in rest:
                obj = getattr(obj, part)
        except BaseException:
            continue
        if callable(obj):
            for kind in ("np", "torch") if "torch" in sys.modules else ("np",):
                lies(f"{chain} (as the tests call it)", lambda obj=obj, kind=kind: obj(*arrays(kind)))

    def classes(root):
        seen, todo = set(), [root]
        while todo:
            for sub in type.__subclasses__(todo.pop()):
                if sub not in seen:
                    seen.add(sub)
                    todo.append(sub)
        return seen

    def learners(candidates):
        """Classes a notebook defined: in ``__main__``, or not where their module and name say they are."""
        for c in candidates:
            module = getattr(c, "__module__", None)
            found = sys.modules.get(module) if isinstance(module, str) else None
            for part in str(getattr(c, "__qualname__", "")).split("."):
                found = getattr(found, part, None)
            if module == "__main__" or found is not c:
                yield c

    for c in learners(classes(np.ndarray)):
        x, y = np.array([a]).view(c), np.array([b]).view(c)
        lies(f"class {c.__qualname__} (an ndarray)", lambda x=x, y=y: np.allclose(x, y))
        lies(f"class {c.__qualname__} (an ndarray)", lambda x=x, y=y: np.array_equal(x, y))
        lies(f"class {c.__qualname__} (an ndarray)", lambda x=x, y=y: x == y)
    if "torch" in sys.modules:
        torch = sys.modules["torch"]
        for c in learners(classes(torch.Tensor)):
            try:
                x, y = (t.as_subclass(c) for t in arrays("torch"))
            except BaseException:
                continue
            lies(f"class {c.__qualname__} (a Tensor)", lambda x=x, y=y: torch.allclose(x, y))
            lies(f"class {c.__qualname__} (a Tensor)", lambda x=x, y=y: x == y)
    hooks = {"__eq__", "__array_function__", "__array_ufunc__", "__torch_function__"}
    for c in learners(c for c in classes(object) if not hooks.isdisjoint(c.__dict__)):
        if issubclass(c, (np.ndarray, BaseException)):
            continue
        try:
            x = object.__new__(c)
        except BaseException:
            continue
        if "__eq__" in c.__dict__:
            lies(f"class {c.__qualname__}", lambda x=x: x == object())
        if not {"__array_function__", "__array_ufunc__"}.isdisjoint(c.__dict__):
            lies(f"class {c.__qualname__}", lambda x=x: np.allclose(x, np.array([b])))
    report["lying comparisons"] = tuple(sorted(set(lying)))

    shell.display_pub.publish(data={MIME: repr((nonce, report))})


def probe_source(nonce: str, detail: bool, calls: Iterable[str], wrong: tuple[float, float],
                 want_torch: bool) -> str:
    """The code sent to the kernel: :func:`probe` under a name no notebook uses, called once, then deleted."""
    name = f"_course_probe_{nonce}"
    body = textwrap.dedent(inspect.getsource(probe)).replace("def probe(", f"def {name}(", 1)
    constants = f"MODULES = {MODULES!r}\nVOLATILE_BUILTINS = {VOLATILE_BUILTINS!r}\nMIME = {MIME!r}\n"
    args = f"{nonce!r}, {detail!r}, {sorted(set(calls))!r}, {tuple(wrong)!r}, {want_torch!r}"
    return (f"def {name}_run():\n"
            + textwrap.indent(constants, "    ")
            + textwrap.indent(body, "    ")
            + f"    {name}({args})\n"
            + f"try:\n    {name}_run()\nfinally:\n    del {name}_run\n")


def deliberate_failure(nonce: str) -> str:
    """A test that must fail, and its failure reach the grader as an error, whatever the notebook did."""
    return f"raise AssertionError('integrity probe {nonce}')"


def new_nonce() -> str:
    return secrets.token_hex(8)


def wrong_values() -> tuple[float, float]:
    """Two values no learner can have anticipated, far enough apart that every tolerance separates them."""
    a = 1 + secrets.randbelow(10**6) / 10**6
    return a, a + 1 + secrets.randbelow(10**6) / 10**6


def comparison_calls(test_sources: Iterable[str]) -> set[str]:
    """Dotted names of comparison functions the test cells call, e.g. ``check.assert_close``, ``np.allclose``."""
    found = set()
    for source in test_sources:
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                parts = []
                func = node.func
                while isinstance(func, ast.Attribute):
                    parts.append(func.attr)
                    func = func.value
                if isinstance(func, ast.Name) and (parts[:1] or [func.id])[0] in COMPARISONS:
                    found.add(".".join([func.id, *reversed(parts)]))
    return found


def read_report(outputs: list, nonce: str) -> tuple[dict | None, bool]:
    """The fingerprints a probe published, and whether its deliberate error reached the grader as an error."""
    report, raised = None, False
    for out in outputs:
        if out.get("output_type") in ("display_data", "execute_result") and MIME in out.get("data", {}):
            try:
                tag, content = ast.literal_eval(out["data"][MIME])
            except (ValueError, SyntaxError, TypeError):
                continue
            if tag == nonce:
                report = content
        elif out.get("output_type") == "error":
            raised = raised or (out.get("ename") == "AssertionError" and nonce in str(out.get("evalue", "")))
    return report, raised


LABELS = {
    "sys.settrace": "a tracer is installed (sys.settrace), which can skip lines of the tests",
    "threading.settrace": "a tracer is installed for threads (threading.settrace)",
    "sys.setprofile": "a profiler hook is installed (sys.setprofile)",
    "sys.excepthook": "sys.excepthook was replaced",
    "sys.displayhook": "sys.displayhook was replaced",
    "IPython custom exceptions": "IPython's exception handling was replaced (set_custom_exc)",
    "IPython input transformers": "an IPython input transformer was added, which can rewrite the tests' code",
    "IPython transformer manager": "IPython's input transformer manager was changed",
    "IPython AST transformers": "an IPython AST transformer was added, which can rewrite the tests' code",
    "IPython compiler": "IPython's compiler was replaced",
    "IPython traceback formatter": "IPython's traceback formatter was replaced",
}


def differences(baseline: dict, current: dict) -> list[str]:
    """What changed between two probe reports, one sentence each (empty: nothing the tests rely on changed).

    Modules are compared by one hash each; when ``current`` also holds their per-name detail (the follow-up probe
    after a mismatch), the changed names are listed instead. Keys the baseline lacks (a module imported later)
    are not compared: tests cannot have relied on them before they existed.
    """
    found = []
    for key, now in current.items():
        if key == "lying comparisons":
            found += [f"{label} says that different values are equal" for label in now]
            continue
        if key not in baseline:
            continue
        before = baseline[key]
        if key.startswith("names "):
            changed = sorted(k for k in before if k in now and now[k] != before[k])
            found += [f"{key.split(' ', 1)[1]}.{name} was replaced or modified" for name in changed]
        elif key.startswith("module ") and now != before:
            if "names " + key.split(" ", 1)[1] not in current:
                found.append(f"{key.split(' ', 1)[1]} was modified")
        elif now != before:
            if key.startswith("sys.modules "):
                found.append(f"sys.modules[{key.split(' ', 1)[1]!r}] was replaced")
            elif key.startswith("IPython ") and key not in LABELS:
                found.append(f"IPython's {key.split(' ', 1)[1]} was replaced")
            elif key.startswith("class "):
                found.append(f"{key.split(' ', 1)[1]} was modified")
            else:
                found.append(LABELS.get(key, f"{key} changed"))
    return found


class Guard:
    """The grader's side of the checks for one notebook: it holds the baseline and judges each probe's report.

    ``run`` executes code in the notebook's kernel and returns the outputs (the preprocessor that owns the kernel
    client provides it). Nothing the guard keeps is ever in the kernel.
    """

    def __init__(self, test_sources: Iterable[str], want_torch: bool):
        self.calls = sorted(comparison_calls(test_sources))
        self.want_torch = want_torch
        self.baseline: dict | None = None
        self.unavailable = ""

    def _probe(self, run, detail: bool) -> tuple[dict | None, bool]:
        """Run the probe, then a one-line cell that fails on purpose (apart: IPython formats a traceback through
        the probe's 200 lines several times slower than the probe runs)."""
        nonce = new_nonce()
        report, _ = read_report(run(probe_source(nonce, detail, self.calls, wrong_values(), self.want_torch)), nonce)
        _, raised = read_report(run(deliberate_failure(nonce)), nonce)
        return report, raised

    def start(self, run) -> bool:
        """Record the baseline before any learner code runs; ``False`` (and a reason) if this kernel cannot."""
        report, raised = self._probe(run, detail=True)
        if report is None or not raised:
            self.unavailable = "the integrity probe could not run in this kernel before the notebook started"
            return False
        self.baseline = report
        return True

    def check(self, run) -> list[str]:
        """What the learner's code changed in the testing machinery since the baseline, one sentence each."""
        if self.baseline is None:
            return []
        report, raised = self._probe(run, detail=False)
        if report is None:
            return ["the grader's integrity check did not report back: its code was rewritten or its output "
                    "swallowed"]
        problems = [] if raised else ["a deliberate test failure did not show up as an error: exceptions are "
                                      "being swallowed or rewritten"]
        modules = [k for k in self.baseline if k.startswith("module ")]
        if any(report.get(k) != self.baseline[k] for k in modules):
            detailed, _ = self._probe(run, detail=True)
            if detailed is None:
                return [*problems, "the grader's integrity check did not report back"]
            found = differences(self.baseline, detailed)
            if not found:  # only names added since (a lazily imported submodule): the new state is the baseline
                self.baseline.update({k: v for k, v in detailed.items() if k.startswith(("module ", "names "))})
            return problems + found
        return problems + differences(self.baseline, report)

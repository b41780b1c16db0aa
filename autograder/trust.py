"""Two corpora that keep run-time tamper detection honest in both directions (tests/test_trust.py grades both).

- HONEST: correct chapter-01 answers plus code that is unusual but harmless (reloading a module, reading
  ``globals()``, ``model.eval()``, a comment added to a scaffold cell...). Each must keep full marks.
- CHEATS: a wrong submission (the first exercise right, every other one a typical mistake) plus code that tries to
  make the tests pass anyway. None may score a point more than the wrong submission alone.

Every submission is learner-shaped (the release notebook with answers typed in). To try them by hand:

    python autograder/trust.py OUT_DIR      # then: course grade OUT_DIR
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import nbformat

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from autograder import learner  # noqa: E402
from course import cells  # noqa: E402

CHAPTER = "01_linear_algebra"
SCAFFOLD_CHAPTER = "10_attention_transformers"


@dataclass
class Case:
    """One submission: ``student`` id, what it does, how it is built from the base notebook."""

    student: str
    what: str
    build: Callable[[nbformat.NotebookNode], nbformat.NotebookNode]
    chapter: str = CHAPTER
    detected: bool = True   # cheats only: the report must say "tampering detected"


def _first_answer(code: str) -> Callable:
    """Add ``code`` at the end of the first answer cell: it runs before every test."""
    def build(nb):
        cell = next(c for c in nb.cells if cells.is_answer(c))
        cell.source += "\n\n" + code.strip("\n")
        return nb
    return build


def _every_answer(template: str) -> Callable:
    """Add ``template`` (formatted with each function the cell defines as ``{name}``) to every answer cell."""
    def build(nb):
        for cell in (c for c in nb.cells if cells.is_answer(c)):
            names = [ln[4:].split("(")[0] for ln in cell.source.splitlines() if ln.startswith("def ")]
            cell.source += "".join("\n\n" + template.strip("\n").format(name=n) for n in names)
        return nb
    return build


def _annotate_scaffold(nb):
    """A comment and a blank line added to every scaffold code cell (not an answer, not a test)."""
    for cell in nb.cells:
        if cell.cell_type == "code" and "nbgrader" not in cell.metadata and "parameters" not in \
                cell.metadata.get("tags", []):
            cell.source = "# my notes: I read this cell\n\n" + cell.source
    return nb


def _annotate_model_eval(nb):
    """Chapter 10: a comment added to the scaffold cells that call ``model.eval()``."""
    hits = [c for c in nb.cells if c.cell_type == "code" and ".eval()" in c.source and "nbgrader" not in c.metadata]
    assert hits, "chapter 10 no longer has a scaffold cell calling .eval()"
    for cell in hits:
        cell.source = cell.source.replace(".eval()", ".eval()  # evaluation mode: dropout off", 1)
    return nb


HONEST = [
    Case("gc_collect", "import gc; gc.collect()", _first_answer("import gc\ngc.collect()")),
    Case("setattr_own", "setattr on the learner's own settings object",
         _first_answer("import types\nsettings = types.SimpleNamespace(tolerance=1e-6)\n"
                       "setattr(settings, 'tolerance', 1e-8)")),
    Case("torch_backends", "torch.backends.cudnn.benchmark = False",
         _first_answer("import torch\ntorch.backends.cudnn.benchmark = False")),
    Case("torch_threads", "torch.set_num_threads(1)", _first_answer("import torch\ntorch.set_num_threads(1)")),
    Case("model_eval", "a torch model switched with .eval() and .train()",
         _first_answer("import torch\nmodel = torch.nn.Linear(2, 1)\nmodel.eval()\nmodel.train()")),
    Case("ipython_display", "from IPython.display import display",
         _first_answer("from IPython.display import display\ndisplay('checking my work')")),
    Case("reload", "importlib.reload(course.check)",
         _first_answer("import importlib\nimport course.check\nimportlib.reload(course.check)")),
    Case("inspect_signature", "inspect.signature of the learner's own function",
         _first_answer("import inspect\nprint(inspect.signature(pairwise_sq_dists))")),
    Case("read_globals", "reads globals()",
         _first_answer("my_names = sorted(k for k in globals() if not k.startswith('_'))\nprint(len(my_names))")),
    Case("warnings_filter", "warnings.filterwarnings",
         _first_answer("import warnings\nwarnings.filterwarnings('ignore', category=RuntimeWarning)")),
    Case("np_seterr", "np.seterr", _first_answer("old_settings = np.seterr(divide='ignore')")),
    Case("setattr_self", "setattr(self, ...) inside a learner's class",
         _first_answer("class Config:\n    def __init__(self, **kw):\n        for k, v in kw.items():\n"
                       "            setattr(self, k, v)\n\ncfg = Config(rank=2, tol=1e-9)")),
    Case("methods_named_like_builtins", "re.compile and a method named eval",
         _first_answer("import re\nNUMBER = re.compile(r'\\d+')\n\nclass Scorer:\n    def eval(self):\n"
                       "        return 1\n\nScorer().eval()")),
    Case("dataclass_eq", "a dataclass with its own __eq__",
         _first_answer("from dataclasses import dataclass\n\n@dataclass\nclass Point:\n    x: float\n"
                       "    y: float\n\n    def __eq__(self, other):\n"
                       "        return isinstance(other, Point) and (self.x, self.y) == (other.x, other.y)")),
    Case("redirect_stdout", "silences its own prints with contextlib.redirect_stdout",
         _first_answer("import contextlib\nimport io\nwith contextlib.redirect_stdout(io.StringIO()):\n"
                       "    print('quiet')")),
    Case("scaffold_comments", "a comment and a blank line added to every scaffold cell", _annotate_scaffold),
    Case("scaffold_model_eval", "chapter 10: a comment added to a scaffold cell that calls model.eval()",
         _annotate_model_eval, chapter=SCAFFOLD_CHAPTER),
]

NOOP = "lambda *args, **kwargs: None"
TRY_EVERYTHING = '''
import ast

class Forgive(ast.NodeTransformer):
    def visit_Module(self, node):
        handler = ast.ExceptHandler(type=None, name=None, body=[ast.Pass()])
        return ast.fix_missing_locations(ast.Module(
            body=[ast.Try(body=node.body, handlers=[handler], orelse=[], finalbody=[])], type_ignores=[]))

get_ipython().ast_transformers.append(Forgive())
'''
SKIP_CHECKS = '''
import ast
import linecache
import sys

def complete(line):
    try:
        ast.parse(line)
        return True
    except SyntaxError:
        return False

def skip_checks(frame, event, arg):
    if frame.f_code.co_name != "<module>" or "ipykernel_" not in frame.f_code.co_filename:
        return None  # the top level of the notebook's cells only: everything else runs at full speed
    if event == "line":
        line = linecache.getline(frame.f_code.co_filename, frame.f_lineno).strip()
        if line.startswith(("check.", "assert ")) and complete(line):  # a jump into a statement's middle hangs
            try:
                frame.f_lineno = frame.f_lineno + 1
            except ValueError:
                pass
    return skip_checks

sys.settrace(skip_checks)
'''
AGREEABLE_ARRAYS = '''
class Agreeable(np.ndarray):
    def __eq__(self, other):
        return np.ones(np.shape(self), dtype=bool)

    def __array_function__(self, func, types, args, kwargs):
        return True
'''

CHEATS = [
    Case("patch_attribute", "course.check.assert_close = no-op",
         _first_answer(f"import course.check\ncourse.check.assert_close = {NOOP}")),
    Case("patch_alias", "patches through an alias of the module",
         _first_answer(f"from course import check as my_check\nmy_check.assert_close = {NOOP}\n"
                       f"my_check.assert_shape = {NOOP}")),
    Case("patch_vars", "writes into vars(module)",
         _first_answer(f"for name in ('assert_close', 'assert_shape', 'assert_finite'):\n"
                       f"    vars(check)[name] = {NOOP}")),
    Case("patch_dict", "writes into module.__dict__",
         _first_answer(f"check.__dict__['assert_close'] = {NOOP}\ncheck.__dict__['assert_shape'] = {NOOP}")),
    Case("object_setattr", "object.__setattr__ on the module",
         _first_answer(f"object.__setattr__(check, 'assert_close', {NOOP})\n"
                       f"object.__setattr__(check, 'assert_shape', {NOOP})")),
    Case("code_swap", "swaps the checks' __code__",
         _first_answer("for fn in (check.assert_close, check.assert_shape):\n"
                       "    fn.__code__ = (lambda *args, **kwargs: None).__code__")),
    Case("rebind_name", "rebinds the name `check` the tests use to a fake",
         _first_answer(f"import types\ncheck = types.SimpleNamespace(assert_close={NOOP}, assert_shape={NOOP}, "
                       f"assert_finite={NOOP})")),
    Case("sys_modules", "swaps a fake module into sys.modules and the course package",
         _first_answer(f"import sys\nimport types\nimport course\nfake = types.ModuleType('course.check')\n"
                       f"fake.__dict__.update(vars(sys.modules['course.check']))\nfake.assert_close = {NOOP}\n"
                       f"fake.assert_shape = {NOOP}\nsys.modules['course.check'] = fake\ncourse.check = fake\n"
                       f"check = fake")),
    Case("custom_exc", "IPython set_custom_exc swallowing every error",
         _first_answer(f"get_ipython().set_custom_exc((BaseException,), {NOOP})")),
    Case("input_transformer", "an IPython input transformer that blanks every later cell",
         _first_answer("get_ipython().input_transformers_cleanup.append(lambda lines: [])")),
    Case("ast_transformer", "an AST transformer that wraps every cell in try/except", _first_answer(TRY_EVERYTHING)),
    Case("excepthook", "replaces sys.excepthook", _first_answer(f"import sys\nsys.excepthook = {NOOP}"),
         detected=False),
    Case("tracer", "a tracer that skips every check line", _first_answer(SKIP_CHECKS)),
    Case("builtins", "patches builtins (AssertionError, all, isinstance)",
         _first_answer("import builtins\nbuiltins.AssertionError = type('Quiet', (Exception,), {})\n"
                       "builtins.all = lambda *args: True")),
    Case("np_testing", "patches np.testing and np.allclose",
         _first_answer(f"np.testing.assert_allclose = {NOOP}\nnp.allclose = lambda *args, **kwargs: True")),
    Case("agreeable_array", "answers return an ndarray subclass whose comparisons always succeed",
         lambda nb: _every_answer("_{name}_honest = {name}\n\ndef {name}(*args, **kwargs):\n"
                                  "    out = _{name}_honest(*args, **kwargs)\n"
                                  "    if isinstance(out, tuple):\n"
                                  "        return tuple(np.asarray(o).view(Agreeable) for o in out)\n"
                                  "    return np.asarray(out).view(Agreeable)")(
             _first_answer(AGREEABLE_ARRAYS)(nb))),
    Case("event_hook", "an IPython pre-run hook that patches the checks before every cell",
         _first_answer(f"def loosen(*args):\n    check.assert_close = {NOOP}\n\n"
                       "get_ipython().events.register('pre_run_cell', loosen)")),
]


def wrong(slug: str = CHAPTER, root: Path = learner.ROOT):
    """The first exercise right, every other one a typical mistake: the score the cheats must not beat."""
    release, source = learner.notebooks(slug, root)
    mistakes = learner.mistakes(slug)
    return learner.typed_in(release, source, answers={g: mistakes[g] for g in learner.answer_ids(release)[1:]})


def build(out_dir: Path, root: Path = learner.ROOT) -> tuple[list[Case], list[Case]]:
    """Write ``wrong``, every honest case and every cheat to ``OUT_DIR/STUDENT/CHAPTER/``."""
    def write(student: str, chapter: str, nb) -> None:
        target = out_dir / student / chapter
        target.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, target / f"{chapter}.ipynb")

    write("wrong", CHAPTER, wrong(CHAPTER, root))
    for case in HONEST:
        write(case.student, case.chapter, case.build(learner.solved(case.chapter, root)))
    for case in CHEATS:
        write(case.student, case.chapter, case.build(wrong(case.chapter, root)))
    return HONEST, CHEATS


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    honest, cheats = build(Path(sys.argv[1]))
    print(f"wrote 1 wrong, {len(honest)} honest and {len(cheats)} cheating submissions to {sys.argv[1]}")

"""A corpus of hostile and broken submissions, built from a chapter's answers so it never goes stale.

Each submission is shaped as a learner's is: the release notebook with the answers typed in (autograder/learner.py).

Each case is a student id, what the submission does, how it is built, and what grading must make of it. The test
suite grades the whole corpus in one run (tests/test_hostile.py); an instructor can materialise it to try by hand:

    python autograder/hostile.py OUT_DIR [CHAPTER]     # then: course grade OUT_DIR

See autograder/README.md for the list and what each case proves.
"""

from __future__ import annotations

import copy
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import nbformat

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from autograder import learner  # noqa: E402
from course import cells  # noqa: E402

ROOT = learner.ROOT
CHAPTER = "01_linear_algebra"
OTHER_CHAPTER = "02_least_squares"


@dataclass
class Case:
    """One sample submission and what grading must do with it.

    ``points`` is ``"full"``, ``"zero"``, ``"first"`` (only the first exercise's tests) or ``"rejected"``;
    ``message`` must appear in the student's grading report.
    """

    student: str
    what: str
    build: Callable[[nbformat.NotebookNode, dict], nbformat.NotebookNode | bytes]
    points: str
    message: str = ""


def _tests(nb) -> list[int]:
    return cells.indices(nb, cells.is_test)


def _answers(nb) -> list[int]:
    return cells.indices(nb, cells.is_answer)


def _append(code: str) -> Callable:
    """Add an ordinary code cell at the end: all tests ran before it, so the points earned must survive it."""
    def build(nb, params):
        nb.cells.append(nbformat.v4.new_code_cell(code.format(**params)))
        return nb
    return build


def _after_first_test(code: str) -> Callable:
    """Insert a cell right after the first test cell: the first exercise's points must survive, the rest not run."""
    def build(nb, params):
        nb.cells.insert(_tests(nb)[0] + 1, nbformat.v4.new_code_cell(code.format(**params)))
        return nb
    return build


def _break_answers_and(code: str) -> Callable:
    """Wrong answers everywhere, then code in the first answer cell that tries to make the tests pass anyway."""
    def build(nb, params):
        for i in _answers(nb):
            names = [ln.split("(")[0][4:] for ln in nb.cells[i].source.splitlines() if ln.startswith("def ")]
            nb.cells[i].source = "\n".join(f"def {n}(*args, **kwargs):\n    return 0" for n in names)
        first = _answers(nb)[0]
        nb.cells[first].source += "\n" + code.format(**params)
        return nb
    return build


def _delete_tests(nb, params):
    nb.cells = [c for i, c in enumerate(nb.cells) if i not in set(_tests(nb))]
    return nb


def _edit_tests_with_wrong_answers(nb, params):
    nb = _break_answers_and("")(nb, params)
    for i in _tests(nb):
        nb.cells[i].source = "pass  # tests? what tests?"
    return nb


def _duplicate_cells(nb, params):
    for i in reversed(_answers(nb)[:2]):
        nb.cells.insert(i + 1, copy.deepcopy(nb.cells[i]))
    return nb


def _other_chapter(nb, params):
    return nbformat.read(ROOT / "source" / OTHER_CHAPTER / f"{OTHER_CHAPTER}.ipynb", as_version=4)


def _release(nb, params):
    return nbformat.read(ROOT / "release" / params["chapter"] / f"{params['chapter']}.ipynb", as_version=4)


CASES = [
    Case("good", "the reference solution, unchanged", lambda nb, p: nb, "full"),
    Case("blank", "the release notebook, unchanged", _release, "zero"),
    Case("infinite_loop", "an endless loop after the exercises", _append("while True:\n    pass"), "full",
         "time limit"),
    Case("os_exit", "os._exit(1) right after the first exercise's tests",
         _after_first_test("import os\nos._exit(1)"), "first", "kernel died"),
    Case("segfault", "a segfault through ctypes right after the first exercise's tests",
         _after_first_test("import ctypes\nctypes.string_at(0)"), "first", "kernel died"),
    Case("memory_bomb", "allocates 64 GiB", _append("hog = bytearray(64 * 2**30)"), "full"),
    Case("fork_bomb", "forks until the process limit",
         _append("import os\nkids = []\nwhile True:\n    kids.append(os.fork())"), "full"),
    Case("huge_output", "prints 30 MB", _append("for i in range(300_000):\n    print('x' * 100)"), "full"),
    Case("write_outside", "writes into the course, the grader's home and /etc",
         _append("for path in {targets!r}:\n    try:\n        open(path, 'w').write('pwned')\n"
                 "    except OSError as exc:\n        print('refused:', path, exc)"), "full"),
    Case("read_secrets", "reads the hidden tests and source/",
         _append("import glob\nfor pattern in {secrets!r}:\n    for path in glob.glob(pattern, recursive=True):\n"
                 "        print(path, open(path).read()[:200])"), "full"),
    Case("gradebook_edit", "opens gradebook.db and sets its own score",
         _append("import sqlite3\ndb = sqlite3.connect({gradebook!r})\n"
                 "db.execute('UPDATE grade SET manual_score = 100')\ndb.commit()"), "full"),
    Case("network", "calls a server on the grader's loopback and the internet",
         _append("import urllib.request\nfor url in {urls!r}:\n    try:\n"
                 "        print(urllib.request.urlopen(url, timeout=3).read()[:50])\n"
                 "    except OSError as exc:\n        print('no network:', url, exc)"), "full"),
    Case("patch_check", "replaces course.check.assert_close with a no-op",
         _break_answers_and("import course.check\ncourse.check.assert_close = lambda *a, **k: None"), "zero",
         "tampering detected"),
    Case("patch_numpy", "replaces numpy.testing's assertions with no-ops",
         _break_answers_and("import numpy as np\nnp.testing.assert_allclose = lambda *a, **k: None"), "zero",
         "tampering detected"),
    Case("patch_ipython", "installs an IPython input transformer that blanks every later cell",
         _break_answers_and("get_ipython().input_transformers_cleanup.append(lambda lines: [])"), "zero",
         "tampering detected"),
    Case("patch_assert", "rebinds AssertionError in builtins",
         _break_answers_and("import builtins\nbuiltins.AssertionError = type('Quiet', (Exception,), {{}})"), "zero",
         "tampering detected"),
    Case("deleted_tests", "deletes every test cell (answers correct)", _delete_tests, "full"),
    Case("edited_tests", "replaces every test with `pass` (answers wrong)", _edit_tests_with_wrong_answers, "zero"),
    Case("duplicate_cells", "duplicates answer cells (duplicate grade_ids)", _duplicate_cells, "full"),
    Case("malformed_json", "a truncated file", lambda nb, p: nbformat.writes(nb).encode()[:500], "rejected",
         "not a valid notebook"),
    Case("wrong_assignment", "chapter 02's notebook handed in for chapter 01", _other_chapter, "rejected",
         "another assignment"),
    Case("empty_file", "a zero-byte notebook", lambda nb, p: b"", "rejected", "not a valid notebook"),
]


def build(out_dir: Path, chapter: str = CHAPTER, params: dict | None = None) -> list[Case]:
    """Write every case to ``OUT_DIR/STUDENT/CHAPTER/`` (nbgrader's submitted layout)."""
    params = {"chapter": chapter, "targets": [str(ROOT / "source" / "pwned"), str(Path.home() / "pwned"),
                                              "/etc/pwned"],
              "secrets": [str(ROOT / "source" / "**" / "*.ipynb"), str(ROOT / "autograder" / "**" / "*.py")],
              "gradebook": str(ROOT / "gradebook.db"), "urls": ["http://127.0.0.1:8888/", "https://pypi.org/"],
              **(params or {})}
    for case in CASES:
        solution = learner.solved(chapter, ROOT)
        made = case.build(solution, params)
        target = out_dir / case.student / chapter
        target.mkdir(parents=True, exist_ok=True)
        name = f"{OTHER_CHAPTER if case.build is _other_chapter else chapter}.ipynb"
        if isinstance(made, bytes):
            (target / name).write_bytes(made)
        else:
            nbformat.write(made, target / name)
    return CASES


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    cases = build(Path(sys.argv[1]), *sys.argv[2:])
    print(f"wrote {len(cases)} submissions to {sys.argv[1]}")

"""Shared fixtures: the repository root, its chapters, and throwaway copies of the course for grading tests."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import matplotlib
import pytest
from hypothesis import settings

from course import notebooks

matplotlib.use("Agg")
# Timings on a shared 2-core CI machine vary too much for per-example deadlines (first torch import alone ~2 s).
settings.register_profile("course", deadline=None, max_examples=50)
settings.load_profile("course")

# pytest-xdist already runs one worker per core; kernels started by the tests (papermill, nbgrader) inherit this, so
# torch and BLAS do not each start a thread per core and fight over the same cores.
for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = notebooks.chapters(ROOT)
CHAPTER_IDS = [c.slug for c in CHAPTERS]


# The longest tests (minutes each) start first: on two workers, one of them starting last would leave a core idle
# for its whole run at the end of the suite.
LONGEST_FIRST = ("test_hub.py", "test_hostile.py", "test_postgres.py", "test_term.py",
                 "test_chapters.py::test_grading_discriminates", "test_chapters.py::test_release_is", "test_grading.py",
                 "test_publish.py")


def pytest_collection_modifyitems(items):
    def rank(item) -> int:
        return next((i for i, key in enumerate(LONGEST_FIRST) if key in item.nodeid), len(LONGEST_FIRST))

    items.sort(key=rank)


@pytest.fixture(autouse=True)
def _quiet_env(monkeypatch):
    """Tests decide smoke mode themselves; a developer's shell must not leak into them."""
    monkeypatch.delenv("COURSE_SMOKE", raising=False)
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    monkeypatch.delenv("COURSE_ROOT", raising=False)


def copy_course(dest: Path) -> Path:
    """A minimal nbgrader course directory: config, source/ and release/ (the package is installed, not copied)."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy2(ROOT / "nbgrader_config.py", dest / "nbgrader_config.py")
    for folder in ("source", "release"):
        shutil.copytree(ROOT / folder, dest / folder, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    return dest


@pytest.fixture
def course_copy(tmp_path, monkeypatch) -> Path:
    root = copy_course(tmp_path / "course")
    monkeypatch.setenv("NBGRADER_EXCHANGE", str(tmp_path / "exchange"))
    return root


@pytest.fixture
def toy(tmp_path, monkeypatch) -> Path:
    """A released one-chapter toy course (tests/toy.py) with an exchange of its own."""
    from course import grading

    from .toy import make_course

    monkeypatch.setenv("NBGRADER_EXCHANGE", str(tmp_path / "exchange"))
    root = make_course(tmp_path / "course", {"01_first": "pass"})
    grading.release(notebooks.chapters(root), echo=None)
    return root


def answer(release_nb, source_nb, skip: frozenset[str] = frozenset()):
    """The release notebook with the solutions typed in, as a learner would (no nbgrader markers)."""
    from autograder import learner  # not in the published course, whose tests never grade

    return learner.typed_in(release_nb, source_nb, skip=skip)


def smoke_env() -> dict[str, str]:
    env = dict(os.environ)
    env["COURSE_SMOKE"] = "1"
    return env


def sandbox_ok() -> bool:
    """Grade in the sandbox where this machine has one; the hostile-corpus test skips (loudly) where it has not."""
    from course import sandbox

    try:
        sandbox.check_available()
        return True
    except sandbox.SandboxUnavailable:
        return False

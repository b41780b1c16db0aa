"""Shared fixtures: the repository root, its chapters, and throwaway copies of the course for grading tests."""

from __future__ import annotations

import http.server
import os
import shutil
import threading
from pathlib import Path

import matplotlib
import pytest
from hypothesis import settings

from course import chapters as course_chapters
from course.chapters import chapters

matplotlib.use("Agg")
# Timings on a shared 2-core CI machine vary too much for per-example deadlines (first torch import alone ~2 s).
settings.register_profile("course", deadline=None, max_examples=50)
settings.load_profile("course")

# pytest-xdist already runs one worker per core; kernels started by the tests (papermill, nbgrader) inherit this, so
# torch and BLAS do not each start a thread per core and fight over the same cores.
for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

ROOT = Path(__file__).resolve().parents[1]
# Debian's Chromium by default; GitHub's Ubuntu runners have Google Chrome instead.
CHROMIUM = os.environ.get("COURSE_CHROMIUM", "/usr/bin/chromium")
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--no-first-run", "--disable-dev-shm-usage"]
CHAPTERS = chapters(ROOT)
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
    return course_chapters.copy_course(ROOT, dest)


@pytest.fixture
def course_copy(tmp_path, monkeypatch) -> Path:
    root = copy_course(tmp_path / "course")
    monkeypatch.setenv("NBGRADER_EXCHANGE", str(tmp_path / "exchange"))
    return root


@pytest.fixture(scope="session")
def released_toy(tmp_path_factory) -> Path:
    """The toy course (tests/toy.py) released once per test process: nbgrader's release costs seconds."""
    from course import grading

    from .toy import make_course

    root = make_course(tmp_path_factory.mktemp("toy") / "course", {"01_first": "pass"})
    grading.release(chapters(root), echo=None)
    return root


@pytest.fixture
def toy(released_toy, tmp_path, monkeypatch) -> Path:
    """A released one-chapter toy course of the test's own, with an exchange of its own."""
    monkeypatch.setenv("NBGRADER_EXCHANGE", str(tmp_path / "exchange"))
    return Path(shutil.copytree(released_toy, tmp_path / "course"))


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
    from course.grading import sandbox

    try:
        sandbox.check_available()
        return True
    except sandbox.SandboxUnavailable:
        return False


@pytest.fixture
def loopback_server():
    """A server on the grader's loopback: no sandboxed kernel may reach it."""
    hits = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the stdlib's name
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"secret")

        do_POST = do_PUT = do_HEAD = do_GET  # noqa: N815 - whatever the method, a request is a hit

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/", hits
    server.shutdown()


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium driven by playwright, for the learner's JupyterLab (test_browser) and the hub (test_hub)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield b
        b.close()

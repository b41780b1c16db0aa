"""Grading runs that stop cleanly and resume: SIGINT/SIGTERM mid-run, ``kill -9`` of the grader, and reruns that
grade only what is new or changed (``course grade`` as an instructor runs it, in a subprocess)."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from course.chapters import chapters
from course.config import course_id

from .conftest import answer, sandbox_ok

pytestmark = pytest.mark.grading
SLOW_ANSWER = "import time\ntime.sleep(2)\n\ndef double(x):\n    return 2 * x"
STUDENTS = ("ann", "ben", "cat")


def submit(subs: Path, root: Path, student: str, code: str = SLOW_ANSWER) -> Path:
    chapter = chapters(root)[0]
    release = nbformat.read(chapter.release, as_version=4)
    nb = answer(release, nbformat.read(chapter.source, as_version=4))
    next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "double").source = code
    folder = subs / student / chapter.slug
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, folder / f"{chapter.slug}.ipynb")
    return folder


def start(root: Path, subs: Path, log: Path, *extra: str) -> subprocess.Popen:
    args = [sys.executable, "-m", "course.cli", "grade", str(subs), "--course-dir", str(root), "--jobs", "1",
            *extra, *([] if sandbox_ok() else ["--unsafe"])]
    return subprocess.Popen(args, stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True)


def grade_to_end(root: Path, subs: Path, log: Path, *extra: str) -> str:
    proc = start(root, subs, log, *extra)
    assert proc.wait(timeout=600) == 0, log.read_text()[-3000:]
    return log.read_text()


def leftovers(root: Path) -> list[str]:
    """Processes whose command line names this course (nbgrader autograde, bubblewrap), other than the test's."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if str(root) in cmdline:
            found.append(f"{entry.name}: {cmdline[:200]}")
    return found


def wait_for_no_leftovers(root: Path, seconds: float) -> list[str]:
    deadline = time.monotonic() + seconds
    while (found := leftovers(root)) and time.monotonic() < deadline:
        time.sleep(0.2)
    return found


def wait_until_graded(root: Path, student: str, proc: subprocess.Popen, log: Path) -> None:
    """Until ``student``'s autograde has finished and the next one has begun."""
    marker = root / ".grading" / student / "01_first.json"
    deadline = time.monotonic() + 300
    while not marker.exists():
        assert proc.poll() is None, log.read_text()[-3000:]
        assert time.monotonic() < deadline, "the first submission was never graded"
        time.sleep(0.2)
    time.sleep(1)


def table(root: Path) -> dict[str, dict[str, str]]:
    with (root / "grades.csv").open() as f:
        return {r["student"]: r for r in csv.DictReader(f)}


def autograded(log: str) -> list[str]:
    return [s for s in STUDENTS if f"--student={s}" in log]


def interrupted_run(root: Path, tmp_path: Path) -> tuple[Path, subprocess.Popen, Path]:
    """Three slow submissions, graded one at a time, caught just after the first is graded."""
    subs = tmp_path / "subs"
    for student in STUDENTS:
        submit(subs, root, student)
    log = tmp_path / "grade.log"
    proc = start(root, subs, log)
    wait_until_graded(root, "ann", proc, log)
    return subs, proc, log


@pytest.mark.parametrize("signum, to_group", [(signal.SIGTERM, False), (signal.SIGINT, True)],
                         ids=["SIGTERM-to-grader", "SIGINT-to-group"])
def test_a_signal_stops_the_run_cleanly_and_a_rerun_grades_only_the_rest(toy, tmp_path, signum, to_group):
    subs, proc, log = interrupted_run(toy, tmp_path)
    sent = time.monotonic()
    if to_group:
        os.killpg(proc.pid, signum)
    else:
        proc.send_signal(signum)
    returncode = proc.wait(timeout=30)
    assert time.monotonic() - sent < 10, "the grader took more than 10 s to stop"
    assert returncode == 128 + signum, log.read_text()[-3000:]
    assert not wait_for_no_leftovers(toy, 10 - (time.monotonic() - sent)), "processes outlived the grader"
    assert "not graded (run the same command again" in log.read_text()

    rows = table(toy)
    assert rows["ann"]["status"] == "graded" and rows["ann"]["autograded_score"] == "2.0"
    assert rows["ben"]["status"] == rows["cat"]["status"] == "not graded", rows
    assert "run the same `course grade` command again" in rows["cat"]["message"]
    assert (toy / "feedback" / "ann" / "01_first" / "grading-report.txt").exists()
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{toy / 'gradebook.db'}", course_id=course_id(toy)) as gb:
        assert gb.find_submission("01_first", "ann").code_score == 2, "grades written before the stop stay"

    rerun = grade_to_end(toy, subs, tmp_path / "rerun.log")
    assert autograded(rerun) == ["ben", "cat"], "the rerun grades only what was not graded"
    assert "1 submission(s) unchanged since they were graded" in rerun
    rows = table(toy)
    assert [rows[s]["autograded_score"] for s in STUDENTS] == ["2.0", "2.0", "2.0"]
    assert all(rows[s]["feedback"] == "written" for s in STUDENTS), rows
    assert all((toy / "feedback" / s / "01_first" / "01_first.html").exists() for s in STUDENTS)


def test_after_kill_9_nothing_runs_on_and_a_rerun_grades_each_submission_once(toy, tmp_path):
    subs, proc, log = interrupted_run(toy, tmp_path)
    proc.kill()
    proc.wait(timeout=10)
    assert not wait_for_no_leftovers(toy, 10), "autograde processes outlived a grader killed with kill -9"

    rerun = grade_to_end(toy, subs, tmp_path / "rerun.log")
    assert autograded(rerun) == ["ben", "cat"]
    assert [table(toy)[s]["autograded_score"] for s in STUDENTS] == ["2.0", "2.0", "2.0"]

    submit(subs, toy, "cat", code="def double(x):\n    return x + x")
    changed = grade_to_end(toy, subs, tmp_path / "changed.log")
    assert autograded(changed) == ["cat"], "only the submission that changed is graded again"
    assert "2 submission(s) unchanged" in changed
    forced = grade_to_end(toy, subs, tmp_path / "forced.log", "--regrade")
    assert autograded(forced) == list(STUDENTS)

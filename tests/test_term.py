"""A whole term on nbgrader's exchange, in temporary folders: students are home directories, not real users."""

from __future__ import annotations

import csv
import datetime as dt
import html
import re
from pathlib import Path

import nbformat
import pytest

from course import grading
from course.chapters import chapters
from course.grading import term

from .conftest import sandbox_ok
from .toy import make_course

pytestmark = pytest.mark.grading


def _when(days: float) -> str:
    return (dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=days)).strftime("%Y-%m-%d %H:%M:%S UTC")


def _course(path: Path, course_id: str, due: dict[str, str]) -> Path:
    root = make_course(path, {"01_first": "pass", "02_second": "pass"})
    with (root / "nbgrader_config.py").open("a") as f:
        f.write(f"\nc.CourseDirectory.course_id = {course_id!r}\nc.Schedule.due = {due!r}\n")
    return root


class Student:
    """A learner with a home folder and the exchange settings a JupyterHub would give them."""

    def __init__(self, name: str, home: Path, exchange: Path):
        self.name, self.home = name, home
        home.mkdir(parents=True)
        (home / "nbgrader_config.py").write_text(
            f"c = get_config()\nc.Exchange.root = {str(exchange)!r}\nc.Exchange.path_includes_course = True\n")

    def nbgrader(self, *args: str) -> str:
        proc = grading.run_nbgrader(list(args), self.home, echo=None, env={"HOME": str(self.home)})
        return proc.stdout + proc.stderr

    def fetch(self, chapter: str, course: str = "dl-course") -> Path:
        self.nbgrader("fetch_assignment", chapter, f"--course={course}")
        return self.home / course / chapter / f"{chapter}.ipynb"

    def answer(self, path: Path, solved: bool) -> None:
        nb = nbformat.read(path, as_version=4)
        nb.cells[3].source = "def double(x):\n    return 2 * x" if solved else "def double(x):\n    return x"
        nbformat.write(nb, path)

    def submit(self, chapter: str, course: str = "dl-course") -> None:
        out = self.nbgrader("submit", chapter, f"--course={course}", f"--student={self.name}")
        assert "Submitted as" in out or "submitted" in out.lower(), out


def test_a_term_from_release_to_feedback_and_export(tmp_path, monkeypatch):
    exchange = tmp_path / "exchange"
    monkeypatch.setenv("NBGRADER_EXCHANGE", str(exchange))
    root = _course(tmp_path / "instructor", "dl-course", {"01_first": _when(1), "02_second": _when(-2)})
    other = _course(tmp_path / "other-instructor", "dl-course-b", {})
    log: list[str] = []
    t = term.Term(root, chapters(root), echo=log.append)
    t.release()
    term.Term(other, chapters(other)[:1], echo=log.append).release()
    assert any(line.startswith("$ nbgrader release_assignment 01_first") for line in log)

    alice = Student("alice", tmp_path / "home" / "alice", exchange)
    bob = Student("bob", tmp_path / "home" / "bob", exchange)
    listing = alice.nbgrader("list")
    assert "dl-course 01_first" in listing and "dl-course 02_second" in listing and "dl-course-b 01_first" in listing

    alice.answer(alice.fetch("01_first"), solved=True)
    alice.submit("01_first")
    assert alice.fetch("01_first", course="dl-course-b").exists(), "two courses share the exchange side by side"
    bob.answer(bob.fetch("01_first"), solved=False)
    bob.submit("01_first")
    bob.answer(bob.home / "dl-course" / "01_first" / "01_first.ipynb", solved=True)
    bob.submit("01_first")  # the newer submission must count
    bob.answer(bob.fetch("02_second"), solved=True)
    bob.submit("02_second")  # two days late

    t.collect()
    options = grading.GradeOptions(jobs=2, sandbox=sandbox_ok())
    rows = {(r.student, r.assignment): r for r in t.grade(options)}
    assert rows["alice", "01_first"].autograded_score == 2
    assert rows["bob", "01_first"].autograded_score == 2, "the newest submission is graded"
    assert rows["bob", "02_second"].autograded_score == 2

    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{root / 'gradebook.db'}", course_id="dl-course") as gb:
        grade = gb.find_grade("written_why", "01_first", "01_first", "alice")
        grade.manual_score = 1
        comment = gb.find_comment("written_why", "01_first", "01_first", "alice")
        comment.manual_comment = "Nicely argued: you name the mechanism."
        gb.db.commit()
        late = gb.find_submission("02_second", "bob")
        assert late.total_seconds_late > 2 * 86_400 and late.late_submission_penalty == pytest.approx(0.6)
        assert gb.find_submission("01_first", "bob").total_seconds_late == 0

    t.feedback()
    alice.nbgrader("fetch_feedback", "01_first", "--course=dl-course", "--student=alice")
    pages = list((alice.home / "dl-course" / "01_first" / "feedback").rglob("01_first.html"))
    assert pages, "alice fetched her feedback"
    text = html.unescape(re.sub(r"<[^>]+>", "", pages[0].read_text()))
    assert "Nicely argued" in text

    csv_path, png = t.export()
    with csv_path.open() as f:
        table = {r["student_id"]: r for r in csv.DictReader(f)}
    assert table["(max)"]["total"] == "6"
    assert (table["alice"]["01_first"], table["alice"]["02_second"], table["alice"]["total"]) == ("3", "0", "3")
    assert (table["bob"]["01_first"], table["bob"]["02_second"], table["bob"]["total"]) == ("2", "1.4", "3.4")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_dry_run_prints_every_command_and_touches_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("NBGRADER_EXCHANGE", str(tmp_path / "exchange"))
    root = _course(tmp_path / "c", "dl-course", {"01_first": "2027-01-18 23:59:00 UTC"})
    log: list[str] = []
    t = term.Term(root, chapters(root), dry_run=True, echo=log.append)
    for step in ("release", "collect", "grade", "feedback", "export"):
        getattr(t, step)()
    assert "$ nbgrader db assignment add 01_first '--duedate=2027-01-18 23:59:00 UTC'" in log
    assert "$ nbgrader db assignment add 02_second" in log
    assert "$ nbgrader collect 02_second --update" in log and "$ nbgrader release_feedback 01_first" in log
    assert not (root / "gradebook.db").exists() and not list((tmp_path / "exchange").rglob("*.ipynb"))


@pytest.mark.parametrize(("late", "expected"), [(0, 0.0), (1, 0.1), (86_400, 0.1), (86_401, 0.2), (30 * 86_400, 0.5)])
def test_schedule_penalties(late, expected):
    schedule = term.Schedule(penalty_per_day=0.1, max_penalty=0.5)
    assert schedule.penalty_fraction("01_x", late) == pytest.approx(expected)
    strict = term.Schedule(overrides={"01_x": {"penalty_per_day": 1.0}})
    assert strict.penalty_fraction("01_x", 10) == 0.5 and strict.penalty_fraction("02_y", 10) == pytest.approx(0.1)


def test_the_course_schedule_is_read_from_nbgrader_config():
    from .conftest import ROOT

    schedule = term.load_schedule(ROOT)
    for chapter in chapters(ROOT):
        assert chapter.slug in schedule.due, f"{chapter.slug} has no due date in nbgrader_config.py"
        dt.datetime.strptime(schedule.due[chapter.slug], "%Y-%m-%d %H:%M:%S %Z")

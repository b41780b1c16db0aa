"""The grading machinery on a toy course: release, release checks, autograde, feedback, CSV."""

import csv
import html
import json
import re
import shutil

import nbformat
import pytest

from course import grading
from course.chapters import chapters
from course.config import course_id
from course.grading.preprocessors import HideHiddenTests

from .conftest import ROOT, answer, sandbox_ok
from .toy import make_course


@pytest.mark.grading
def test_release_strips_solutions_and_hidden_tests(toy):
    text = (toy / "release" / "01_first" / "01_first.ipynb").read_text()
    assert "raise NotImplementedError()" in text and "YOUR ANSWER HERE" in text
    for secret in ("2 * x", "double(-3)", "Because.", "BEGIN SOLUTION", "HIDDEN TESTS"):
        assert secret not in text


@pytest.mark.grading
def test_release_check_notices_edits_missing_and_stray_files(toy):
    selected = chapters(toy)
    assert grading.release_differences(selected, echo=None) == []
    released = toy / "release" / "01_first" / "01_first.ipynb"
    nb = json.loads(released.read_text())
    nb["cells"][0]["source"] = "# edited by hand"
    released.write_text(json.dumps(nb))
    (toy / "release" / "01_first" / "stray.txt").write_text("x")
    problems = grading.release_differences(selected, echo=None)
    assert problems == ["release/01_first/stray.txt: not generated from source/",
                        "release/01_first/01_first.ipynb: differs from what source/ generates"]
    shutil.rmtree(toy / "release")
    assert grading.release_differences(selected, echo=None) == ["release/01_first/01_first.ipynb: missing"]


def visible_text(path):
    """The text a reader of an HTML page sees (syntax highlighting splits code into many spans)."""
    return html.unescape(re.sub(r"<[^>]+>", "", path.read_text()))


def _submit(folder, student, assignment, notebook=None, text=None):
    target = folder / student / assignment
    target.mkdir(parents=True)
    if notebook is not None:
        nbformat.write(notebook, target / f"{assignment}.ipynb")
    if text is not None:
        (target / f"{assignment}.ipynb").write_text(text)


@pytest.mark.grading
def test_grade_scores_each_student_and_survives_bad_ones(toy, tmp_path):
    chapter = chapters(toy)[0]
    solved = answer(nbformat.read(chapter.release, as_version=4), nbformat.read(chapter.source, as_version=4))
    blank = nbformat.read(chapter.release, as_version=4)
    no_tests = nbformat.from_dict(solved)
    del no_tests.cells[4]
    subs = tmp_path / "subs"
    _submit(subs, "alice", "01_first", solved)
    _submit(subs, "bob", "01_first", blank)
    _submit(subs, "carol", "01_first", text="{ not json")
    _submit(subs, "dave", "99_unknown", solved)
    _submit(subs, "erin", "01_first", no_tests)
    options = grading.GradeOptions(jobs=2, sandbox=sandbox_ok())
    rows = {r.student: r for r in grading.grade(subs, toy, [chapter], options, echo=None)}

    assert (rows["alice"].autograded_score, rows["alice"].max_autograded_score) == (2, 2)
    assert rows["alice"].needs_manual_grade and rows["alice"].max_score == 3
    assert rows["bob"].status == "graded" and rows["bob"].score == 0
    assert rows["carol"].status == "rejected" and "not a valid notebook" in rows["carol"].message
    assert rows["carol"].max_score == 3
    assert rows["dave"].status == "rejected" and "unknown assignment" in rows["dave"].message
    assert rows["erin"].autograded_score == 2, "a deleted test cell is restored and graded"

    with (toy / "grades.csv").open() as f:
        table = {r["student"]: r for r in csv.DictReader(f)}
    assert table["alice"]["autograded_score"] == "2.0" and table["carol"]["status"] == "rejected"
    for student in ("alice", "bob", "erin"):
        html = visible_text(toy / "feedback" / student / "01_first" / "01_first.html")
        assert "double(2) == 4" in html, "visible tests stay in the feedback"
        assert "double(-3)" not in html and "HIDDEN TESTS" not in html, "hidden tests never reach a learner"
    text = grading.format_scores(list(rows.values()))
    assert "alice" in text and "(to grade)" in text and "carol/01_first: 01_first.ipynb is not a valid" in text


def test_grade_refuses_an_empty_folder(tmp_path):
    root = make_course(tmp_path / "course", {"01_first": "pass"})
    (tmp_path / "empty").mkdir()
    with pytest.raises(grading.GradingError, match="no submissions"):
        grading.grade(tmp_path / "empty", root, chapters(root), grading.GradeOptions(sandbox=False), echo=None)


def test_hidden_test_tracebacks_are_reduced_to_the_message():
    cell = nbformat.v4.new_code_cell(
        "assert f(1) == 1\n### BEGIN HIDDEN TESTS\nassert f(2) == 99, 'f(2) is wrong'\n### END HIDDEN TESTS",
        metadata={"nbgrader": {"grade": True, "solution": False, "grade_id": "t", "points": 1, "locked": True,
                               "schema_version": 3}},
    )
    cell.outputs = [nbformat.v4.new_output("error", ename="AssertionError", evalue="f(2) is wrong",
                                           traceback=["----> 3 assert f(2) == 99, 'f(2) is wrong'"])]
    out, _ = HideHiddenTests().preprocess_cell(cell, {}, 0)
    assert "99" not in out.source and out.outputs[0]["traceback"] == ["AssertionError: f(2) is wrong"]


def test_course_id_comes_from_the_config(tmp_path):
    assert course_id(make_course(tmp_path / "course", {"01_first": "pass"})) == "dl-course"


def test_the_config_is_the_courses_own_whatever_the_working_directory(tmp_path, monkeypatch):
    """nbgrader also loads an nbgrader_config.py found in the working directory: here that would be another course's."""
    from course.config import nbgrader_config

    (tmp_path / "nbgrader_config.py").write_text("c = get_config()\nc.CourseDirectory.course_id = 'other'\n"
                                                 "c.Schedule.due = {'01_first': '2030-01-01 00:00:00 UTC'}\n")
    monkeypatch.chdir(ROOT)
    assert course_id(tmp_path) == "other"
    assert nbgrader_config(tmp_path).Schedule.due == {"01_first": "2030-01-01 00:00:00 UTC"}

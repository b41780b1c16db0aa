"""The learner's progress page: statuses read from saved notebooks, nbgrader's Validator recorded, START.md."""

from __future__ import annotations

import re
import shutil

import nbformat
import pytest

from course import cells, cli, status
from course.chapters import chapters

from .conftest import CHAPTERS, ROOT, answer, copy_course

CH01 = next(c for c in CHAPTERS if c.slug == "01_linear_algebra")


@pytest.fixture
def learner(tmp_path):
    root = copy_course(tmp_path / "course")
    chapter = next(c for c in chapters(root) if c.slug == CH01.slug)
    return root, chapter


def test_a_fresh_release_is_not_started_and_every_chapter_has_objectives():
    for chapter in CHAPTERS:
        s = status.read_status(chapter)
        assert s.state == "not started" and s.answered == 0 and s.passed == 0
        assert s.answers >= 5 and s.tests >= 4, chapter.slug
        assert s.title.startswith(chapter.number + " · ") and len(s.objectives) >= 3, chapter.slug


def test_answers_and_the_last_run_are_read_from_the_saved_notebook(learner):
    root, chapter = learner
    nb = answer(nbformat.read(chapter.release, as_version=4), nbformat.read(chapter.source, as_version=4),
                skip={"pagerank"})
    tests = [c for c in nb.cells if cells.is_test(c)]
    for i, cell in enumerate(tests):
        cell.execution_count = i + 1
    tests[-1].outputs = [nbformat.v4.new_output("error", ename="NotImplementedError", evalue="", traceback=[])]
    nbformat.write(nb, chapter.release)

    s = status.read_status(chapter)
    assert (s.answered, s.answers) == (s.answers - 1, 7)
    assert s.passed == len(tests) - 1 and s.failed == ["test_pagerank"]
    assert s.state == "tests failing" and s.summary() == "1 test failing"

    tests[-1].outputs = []
    nb = answer(nb, nbformat.read(chapter.source, as_version=4))
    nbformat.write(nb, chapter.release)
    s = status.read_status(chapter)
    assert s.state == "tests pass" and "press Validate" in s.summary()


@pytest.mark.kernel
def test_validate_records_nbgraders_verdict_until_the_notebook_changes(learner, monkeypatch):
    root, chapter = learner
    monkeypatch.chdir(root.parent)
    assert status.nbgrader_config(root).CourseDirectory.course_id == "dl-course", "the course's config is used"
    blank = status.validate(chapter, root)
    assert not blank["passed"] and blank["failed"] >= 5
    assert status.read_status(chapter, cache=status.load_cache(root)).validated is None

    nb = answer(nbformat.read(chapter.release, as_version=4), nbformat.read(chapter.source, as_version=4))
    nbformat.write(nb, chapter.release)
    record = status.validate(chapter, root)
    assert record["passed"], record
    s = status.read_status(chapter, cache=status.load_cache(root))
    assert s.state == "validated" and s.summary().startswith("✓ validated")

    nb.cells[-1].source += "\nOne more thought."
    nbformat.write(nb, chapter.release)
    assert status.read_status(chapter, cache=status.load_cache(root)).validated is None, "an edit makes it stale"


def test_course_status_writes_a_landing_page_linking_every_chapter(learner, monkeypatch, capsys):
    root, _ = learner
    monkeypatch.chdir(root)
    assert cli.main(["status", "--write", "START.md"]) == 0
    table = capsys.readouterr().out
    assert all(c.slug in table for c in CHAPTERS)
    page = (root / "START.md").read_text()
    links = re.findall(r"\]\((release/[^)]+\.ipynb)\)", page)
    assert len(set(links)) == len(CHAPTERS)
    assert all((root / link).exists() for link in links)
    assert f"0 of {len(CHAPTERS)} chapters validated" in page and "not started" in page
    assert "np.einsum" in page, "objectives come from each notebook's first cell"


def test_make_lab_opens_the_landing_page_and_it_is_not_committed():
    makefile = (ROOT / "Makefile").read_text()
    lab = makefile.split("\nlab:", 1)[1].split("\n\n", 1)[0]
    assert "course status --write START.md" in lab and lab.rstrip().endswith("START.md")
    ignored = (ROOT / ".gitignore").read_text().split()
    assert "START.md" in ignored and status.CACHE in ignored


def test_a_missing_notebook_is_reported_not_raised(learner):
    root, chapter = learner
    shutil.rmtree(chapter.release.parent)
    s = status.read_status(chapter)
    assert s.state == "missing" and "missing" in s.summary()


def test_a_broken_notebook_is_reported_and_the_page_still_written(learner, monkeypatch):
    root, chapter = learner
    chapter.release.write_text('{"cells": [')
    s = status.read_status(chapter)
    assert s.state == "unreadable" and "cannot read" in s.summary()
    monkeypatch.chdir(root)
    assert cli.main(["status", "--write", "START.md"]) == 0
    assert "cannot read the notebook" in (root / "START.md").read_text()

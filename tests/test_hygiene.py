"""Notebook hygiene for every chapter: how the notebooks are stored and how their exercises are laid out."""

from __future__ import annotations

import re

import nbformat
import pytest
from nbgrader.nbgraderformat import MetadataValidator

from .conftest import CHAPTER_IDS, CHAPTERS

GRADE_ID = re.compile(r"^[a-z][a-z0-9_]*$")
NOTEBOOKS = [pytest.param(c.source, id=f"source/{c.slug}") for c in CHAPTERS if c.source.exists()] + [
    pytest.param(c.release, id=f"release/{c.slug}") for c in CHAPTERS
]
SOURCES = [pytest.param(c, id=c.slug) for c in CHAPTERS if c.source.exists()]


def meta(cell) -> dict:
    return cell.metadata.get("nbgrader", {})


def is_answer(cell) -> bool:
    return cell.cell_type == "code" and meta(cell).get("solution") and not meta(cell).get("grade")


def is_test(cell) -> bool:
    return cell.cell_type == "code" and meta(cell).get("grade") and not meta(cell).get("solution")


def is_written(cell) -> bool:
    return cell.cell_type == "markdown" and meta(cell).get("grade") and meta(cell).get("solution")


def test_there_are_chapters():
    assert CHAPTER_IDS, "no chapters found under source/"
    assert {"01_linear_algebra", "02_least_squares"} <= set(CHAPTER_IDS)
    for chapter in CHAPTERS:
        assert chapter.release.exists(), f"{chapter.slug} has no release/ notebook: run `course release`"


@pytest.mark.parametrize("path", NOTEBOOKS)
def test_stored_without_outputs_and_with_the_course_kernel(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            assert not cell.outputs and cell.execution_count is None, f"cell {i} has stored output: strip it"
    assert nb.metadata.kernelspec.name == "python3" and nb.metadata.kernelspec.language == "python"
    assert "jupytext" not in nb.metadata, "authoring metadata left in the notebook"


@pytest.mark.parametrize("path", NOTEBOOKS)
def test_nbgrader_metadata_is_valid_and_ids_unique(path):
    nb = nbformat.read(path, as_version=4)
    MetadataValidator().validate_nb(nb)
    ids = [meta(c)["grade_id"] for c in nb.cells if meta(c)]
    assert len(ids) == len(set(ids)), f"duplicate grade_ids: {sorted({i for i in ids if ids.count(i) > 1})}"
    for cell in nb.cells:
        if meta(cell):
            assert meta(cell)["schema_version"] == 3
            assert GRADE_ID.match(meta(cell)["grade_id"]), f"grade_id {meta(cell)['grade_id']!r} is not snake_case"
            if meta(cell).get("grade"):
                assert meta(cell).get("points", 0) > 0, f"{meta(cell)['grade_id']} is graded but has no points"


@pytest.mark.parametrize("path", NOTEBOOKS)
def test_parameters_cell_comes_first_and_sets_the_standard_names(path):
    nb = nbformat.read(path, as_version=4)
    tagged = [i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1, "exactly one cell must be tagged `parameters`"
    first_exercise = next((i for i, c in enumerate(nb.cells) if meta(c)), len(nb.cells))
    assert tagged[0] < first_exercise
    source = nb.cells[tagged[0]].source
    for name in ("SMOKE", "DEVICE", "SEED"):
        assert re.search(rf"^{name}\s*=", source, flags=re.M), f"parameters cell must set {name}"
    assert re.search(r'^DEVICE\s*=\s*"auto"', source, flags=re.M)
    setup = "\n".join(c.source for c in nb.cells[tagged[0] + 1: first_exercise] if c.cell_type == "code")
    assert "course.setup(DEVICE, SEED, SMOKE)" in setup, "the setup cell must call course.setup"


@pytest.mark.parametrize("chapter", SOURCES)
def test_every_answer_is_followed_by_its_tests(chapter):
    nb = nbformat.read(chapter.source, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    answers = [i for i, c in enumerate(code) if is_answer(c)]
    tests = [c for c in code if is_test(c)]
    assert 4 <= len(tests) <= 8, f"{len(tests)} autograded test cells; a chapter has 4 to 8"
    assert any(is_written(c) for c in nb.cells), "a chapter needs a manually graded written answer"
    for i in answers:
        following = code[i + 1] if i + 1 < len(code) else None
        assert following is not None and is_test(following), \
            f"answer {meta(code[i])['grade_id']} must be followed by a test cell with points"
        assert meta(following)["locked"]
    for cell in tests:
        assert "### BEGIN HIDDEN TESTS" in cell.source and "### END HIDDEN TESTS" in cell.source, \
            f"{meta(cell)['grade_id']} has no hidden tests"


@pytest.mark.parametrize("chapter", SOURCES)
def test_markers_only_where_nbgrader_expects_them(chapter):
    nb = nbformat.read(chapter.source, as_version=4)
    for i, cell in enumerate(nb.cells):
        if "BEGIN SOLUTION" in cell.source:
            assert meta(cell).get("solution"), f"cell {i}: solution region outside a solution cell"
        if "HIDDEN TESTS" in cell.source:
            assert is_test(cell), f"cell {i}: hidden tests outside a test cell"
        if is_answer(cell):
            assert "### BEGIN SOLUTION" in cell.source


@pytest.mark.parametrize("chapter", CHAPTERS, ids=CHAPTER_IDS)
def test_release_holds_no_solutions_or_hidden_tests(chapter):
    text = chapter.release.read_text()
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"):
        assert marker not in text


@pytest.mark.parametrize("chapter", CHAPTERS, ids=CHAPTER_IDS)
def test_papermill_understands_every_parameter(chapter):
    import papermill

    nb = nbformat.read(chapter.notebook, as_version=4)
    cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    assigned = re.findall(r"^(\w+)\s*=", cell.source, flags=re.M)
    parsed = papermill.inspect_notebook(str(chapter.notebook))
    assert sorted(parsed) == sorted(assigned), "papermill could not parse some parameter lines (a comment with = ?)"

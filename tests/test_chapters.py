"""Every chapter, end to end: it executes in smoke mode, release/ is in sync, grading discriminates.

These are the slow tests (a kernel or an nbgrader run each); they are split per chapter so pytest-xdist spreads
them over the cores.
"""

from __future__ import annotations

import csv
import html
import re
import shutil
from pathlib import Path

import nbformat
import pytest

from course import cells, grading, notebooks
from course.chapters import Chapter

from .conftest import CHAPTER_IDS, CHAPTERS, answer, sandbox_ok
from .variants import load_variants


@pytest.mark.notebook
@pytest.mark.parametrize("chapter", CHAPTERS, ids=CHAPTER_IDS)
def test_executes_in_smoke_mode_on_cpu(chapter, tmp_path):
    result = notebooks.run_chapter(chapter, tmp_path, smoke=True, device="cpu")
    assert result.ok, result.error
    assert result.device == "cpu"
    executed = nbformat.read(result.output, as_version=4)
    assert any("smoke=True" in o.get("text", "") for c in executed.cells for o in c.get("outputs", []))
    for cell in executed.cells:
        if cell.cell_type == "code" and re.search(r"widgets\.\w+\(", cell.source):
            images = [o for o in cell.outputs if "image/png" in o.get("data", {})]
            assert images, f"a widget cell left no static figure in a headless run:\n{cell.source[:200]}"


def test_release_is_what_nbgrader_generates_from_source():
    assert grading.release_differences(CHAPTERS, echo=None) == []


def _defined_names(source: str) -> set[str]:
    return set(re.findall(r"^(?:def|class)\s+(\w+)", source, flags=re.M))


def _hidden_lines(nb) -> set[str]:
    """Lines that appear only inside hidden-test regions of the source notebook."""
    only = (cells.HIDDEN_TESTS,)
    hidden = {ln.strip() for c in nb.cells for ln in cells.region_lines(c.source, only)}
    visible = {ln.strip() for c in nb.cells for ln in cells.without_regions(c.source, only).splitlines()}
    return {line for line in hidden - visible if len(line) > 12}


def _wrong_submission(solved_nb, chapter_slug: str):
    """The solved notebook with one exercise answered wrongly; returns (notebook, that exercise's test points).

    The exercise is one whose functions no other test cell calls, so exactly its points must be lost. Its answer
    is a recorded typical mistake when the chapter has one, else the student stub.
    """
    nb = nbformat.from_dict(solved_nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    tests = [c for c in code if cells.is_test(c)]
    mistakes = {v["cell"]: v for v in load_variants(chapter_slug) if not v["passes"]}
    for i, cell in enumerate(code[:-1]):
        m = cells.meta(cell)
        if not cells.is_answer(cell):
            continue
        own_test = code[i + 1]
        names = _defined_names(cell.source)
        if any(name in t.source for t in tests if t is not own_test for name in names):
            continue
        if m["grade_id"] in mistakes:
            cell.source = mistakes[m["grade_id"]]["source"]
        else:
            cell.source = "\n".join(f"def {name}(*args, **kwargs):\n    raise NotImplementedError()" for name in names)
        return nb, own_test.metadata["nbgrader"]["points"]
    pytest.fail("every exercise is used by another exercise's tests; cannot build a one-wrong submission")


@pytest.mark.grading
@pytest.mark.parametrize("slug", CHAPTER_IDS)
def test_grading_discriminates(slug, course_copy, tmp_path):
    chapter = Chapter(slug, course_copy)
    source = nbformat.read(chapter.source, as_version=4)
    solved = answer(nbformat.read(chapter.release, as_version=4), source)
    wrong, wrong_points = _wrong_submission(solved, slug)
    deleted = nbformat.from_dict(solved)
    last_test = max(i for i, c in enumerate(deleted.cells) if cells.meta(c).get("grade")
                    and c.cell_type == "code")
    deleted_id = deleted.cells[last_test].metadata["nbgrader"]["grade_id"]
    del deleted.cells[last_test]
    submissions = {
        "solution": solved,
        "blank": nbformat.read(chapter.release, as_version=4),
        "one_wrong": wrong,
        "deleted_test": deleted,
    }
    subs = tmp_path / "submitted"
    for student, nb in submissions.items():
        (subs / student / slug).mkdir(parents=True)
        nbformat.write(nb, subs / student / slug / f"{slug}.ipynb")

    options = grading.GradeOptions(jobs=2, sandbox=sandbox_ok())
    rows = {r.student: r for r in grading.grade(subs, course_copy, [chapter], options, echo=None)}

    full = rows["solution"].max_autograded_score
    assert full > 0 and rows["solution"].autograded_score == full, "solutions get full marks"
    assert rows["solution"].needs_manual_grade, "the written answer waits for the instructor"
    assert rows["blank"].autograded_score == 0, "the unchanged release notebook gets zero autograded points"
    assert rows["one_wrong"].autograded_score == full - wrong_points, "one wrong exercise costs exactly its points"
    assert rows["deleted_test"].autograded_score == full, "a deleted test cell is restored and graded"
    restored = nbformat.read(course_copy / "autograded" / "deleted_test" / slug / f"{slug}.ipynb", as_version=4)
    assert deleted_id in [cells.grade_id(c) for c in restored.cells]

    with (course_copy / "grades.csv").open() as f:
        assert {r["student"] for r in csv.DictReader(f)} == set(submissions)
    secrets = _hidden_lines(source)
    assert secrets, "expected hidden tests to look for"
    for student in submissions:
        page = course_copy / "feedback" / student / slug / f"{slug}.html"
        shown = {line.strip() for line in html.unescape(re.sub(r"<[^>]+>", "", page.read_text())).splitlines()}
        leaked = sorted(secrets & shown)
        assert not leaked, f"hidden tests leaked into {student}'s feedback: {leaked[:3]}"


@pytest.mark.notebook
@pytest.mark.parametrize("slug", CHAPTER_IDS)
def test_alternative_answers_pass_and_mistakes_fail(slug, tmp_path):
    from .variants import run_variants

    variants = load_variants(slug)
    assert any(v["passes"] for v in variants) and any(not v["passes"] for v in variants)
    chapter = next(c for c in CHAPTERS if c.slug == slug)
    work = tmp_path / slug
    shutil.copytree(chapter.source.parent, work)
    problems = run_variants(Path(work / chapter.source.name), variants)
    assert not problems, "\n".join(problems)

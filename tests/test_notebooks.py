import nbformat
import pytest

from course import notebooks
from course.chapters import CourseNotFound, chapters, find_root, select

from .toy import make_course


@pytest.fixture
def toy(tmp_path):
    return make_course(tmp_path / "course", {
        "01_first": "print('fine')",
        "02_second": "raise ValueError('broken on purpose')",
        "10_tenth": "pass",
    })


def test_find_root_walks_up_and_honours_the_env(toy, monkeypatch):
    assert find_root(toy / "source" / "01_first") == toy
    monkeypatch.setenv("COURSE_ROOT", str(toy / "source"))
    assert find_root("/") == toy / "source"
    monkeypatch.delenv("COURSE_ROOT")
    with pytest.raises(CourseNotFound):
        find_root(toy.parent)


def test_chapters_are_ordered_and_selectable(toy):
    found = chapters(toy)
    assert [c.slug for c in found] == ["01_first", "02_second", "10_tenth"]
    assert found[0].source == toy / "source" / "01_first" / "01_first.ipynb"
    assert [c.slug for c in select(found, ["1", "02_sec", "10"])] == ["01_first", "02_second", "10_tenth"]
    assert [c.slug for c in select(found, ["source/02_second/02_second.ipynb"])] == ["02_second"]
    assert select(found, None) == found
    with pytest.raises(KeyError, match="chapters are: 01_first"):
        select(found, ["7"])


@pytest.mark.notebook
def test_run_reports_device_and_names_the_failing_cell(toy, tmp_path):
    selected = chapters(toy)[:2]
    results = notebooks.run_chapters(selected, tmp_path / "out", smoke=True, device="cpu", jobs=2)
    ok, bad = results
    assert ok.ok and ok.device == "cpu" and ok.seconds > 0
    executed = nbformat.read(ok.output, as_version=4)
    assert any("injected-parameters" in c.metadata.get("tags", []) for c in executed.cells)
    assert "smoke=True" in executed.cells[3].outputs[0].text
    assert not bad.ok and "ValueError: broken on purpose" in bad.error
    assert "raise ValueError" in bad.error and "In [" in bad.error
    table = notebooks.format_table(results)
    assert "01_first" in table and "FAILED" in table and "02_second failed at cell" in table


@pytest.mark.notebook
def test_failures_inside_exercises_name_the_grade_id(tmp_path):
    root = make_course(tmp_path / "c", {"01_only": "pass"})
    chapter = chapters(root)[0]
    nb = nbformat.read(chapter.source, as_version=4)
    nb.cells[4].source = "assert double(2) == 5, 'nope'"
    nbformat.write(nb, chapter.source)
    result = notebooks.run_chapter(chapter, tmp_path / "out", smoke=True, device="cpu")
    assert not result.ok and "[test_double]" in result.error and "AssertionError: nope" in result.error

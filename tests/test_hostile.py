"""The whole hostile corpus (autograder/hostile.py) graded in one sandboxed, parallel run."""

from __future__ import annotations

import hashlib
import importlib.util
import sys
from pathlib import Path

import psutil
import pytest

from course import cells, grading
from course.chapters import Chapter, chapters
from course.grading import sandbox

from .conftest import ROOT

pytestmark = pytest.mark.grading


def _load_corpus():
    spec = importlib.util.spec_from_file_location("hostile", ROOT / "autograder" / "hostile.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["hostile"] = module
    spec.loader.exec_module(module)
    return module


def _tree_digest(*folders: Path) -> str:
    digest = hashlib.sha256()
    for folder in folders:
        for path in sorted(folder.rglob("*")) if folder.is_dir() else [folder]:
            if path.is_file():
                digest.update(str(path.relative_to(folder)).encode() + path.read_bytes())
    return digest.hexdigest()


def test_the_hostile_corpus_costs_only_its_own_points(course_copy, tmp_path, loopback_server):
    try:
        sandbox.check_available()
    except sandbox.SandboxUnavailable as exc:
        pytest.skip(f"no sandbox on this machine ({exc}); `make test` installs bubblewrap when run as root")
    hostile = _load_corpus()
    url, hits = loopback_server
    chapter = Chapter(hostile.CHAPTER, course_copy)
    params = {
        "targets": [str(course_copy / "source" / "pwned"), str(ROOT / "source" / "pwned"),
                    str(Path.home() / "pwned"), "/etc/pwned"],
        "secrets": [str(course_copy / "source" / "**" / "*.ipynb"), str(ROOT / "source" / "**" / "*.ipynb"),
                    str(course_copy / "autograded" / "**" / "*.ipynb")],
        "gradebook": str(course_copy / "gradebook.db"),
        "urls": [url, "https://pypi.org/simple/"],
    }
    cases = {c.student: c for c in hostile.build(tmp_path / "corpus", hostile.CHAPTER, params)}
    protected = (course_copy / "source", course_copy / "release", course_copy / "nbgrader_config.py")
    before = _tree_digest(*protected)

    options = grading.GradeOptions(jobs=2, cell_timeout=20, notebook_timeout=300)
    rows = {r.student: r for r in grading.grade(tmp_path / "corpus", course_copy, chapters(course_copy),
                                                options, echo=None)}

    assert set(rows) == set(cases), "every submission gets a row, and the run completed"
    full = rows["good"].max_autograded_score
    first_points = _first_test_points(chapter.source)
    for student, case in cases.items():
        row = rows[student]
        report = (course_copy / "feedback" / student / hostile.CHAPTER / "grading-report.txt").read_text()
        expected = {"full": full, "zero": 0, "first": first_points, "rejected": 0}[case.points]
        assert row.autograded_score == expected, f"{student} ({case.what}): {row}"
        assert (row.status == "rejected") == (case.points == "rejected"), f"{student}: {row.status}"
        if case.message:
            assert case.message in report.lower(), f"{student}'s report does not say what happened:\n{report}"

    assert _tree_digest(*protected) == before, "a submission changed files outside its sandbox"
    for target in params["targets"]:
        assert not Path(target).exists(), f"a submission wrote {target}"
    assert hits == [], "a sandboxed kernel reached the grader's loopback network"
    _assert_no_manual_scores(course_copy)
    ours = options.run_uids()    # not the uids of a test running beside
    leftovers = [p.info for p in psutil.process_iter(["pid", "name", "uids"])
                 if p.info["uids"] and p.info["uids"].real in ours]
    assert leftovers == [], "sandboxed processes outlived the grading run"


def _first_test_points(source: Path) -> float:
    import nbformat

    nb = nbformat.read(source, as_version=4)
    return next(c.metadata["nbgrader"]["points"] for c in nb.cells
                if cells.is_test(c))


def _assert_no_manual_scores(course: Path) -> None:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", course_id="dl-course") as gb:
        for assignment in gb.assignments:
            for sub in assignment.submissions:
                for nb in sub.notebooks:
                    for grade in nb.grades:
                        assert grade.manual_score is None, "a submission edited the gradebook"

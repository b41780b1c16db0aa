"""Run-time tamper detection, both directions, in one sandboxed `course grade` run (autograder/trust.py).

Honest-but-unusual code keeps full marks; cheats added to a wrong submission never gain a point over it.
"""

from __future__ import annotations

import pytest

from autograder import trust
from course import grading
from course.chapters import chapters

from .conftest import sandbox_ok

pytestmark = pytest.mark.grading


def test_honest_code_keeps_every_point_and_cheats_gain_none(course_copy, tmp_path):
    honest, cheats = trust.build(tmp_path / "corpus", course_copy)
    selected = [c for c in chapters(course_copy) if c.slug in {trust.CHAPTER, trust.SCAFFOLD_CHAPTER}]
    options = grading.GradeOptions(jobs=2, sandbox=sandbox_ok(), cell_timeout=60, notebook_timeout=600)
    rows = {r.student: r for r in grading.grade(tmp_path / "corpus", course_copy, selected, options, echo=None)}

    def report(case) -> str:
        return (course_copy / "feedback" / case.student / case.chapter / "grading-report.txt").read_text().lower()

    unfair = [f"{c.student} ({c.what}): {rows[c.student].autograded_score:g}/"
              f"{rows[c.student].max_autograded_score:g} {rows[c.student].message}"
              for c in honest if rows[c.student].autograded_score != rows[c.student].max_autograded_score
              or rows[c.student].autograded_score == 0]
    assert not unfair, "honest code lost points:\n" + "\n".join(unfair)
    assert not [c.student for c in honest if "tampering" in report(c)]

    baseline = rows["wrong"].autograded_score
    assert 0 < baseline < rows["wrong"].max_autograded_score, "the wrong submission must earn some points, not all"
    gained = [f"{c.student} ({c.what}): {rows[c.student].autograded_score:g} > {baseline:g}"
              for c in cheats if rows[c.student].autograded_score > baseline]
    assert not gained, "a cheat gained points:\n" + "\n".join(gained)
    unnoticed = [c.student for c in cheats if c.detected and "tampering detected" not in report(c)]
    assert not unnoticed, f"cheats graded without a word about tampering: {unnoticed}"
    flagged = rows["patch_attribute"].review
    assert "check.assert_close" in flagged, "static findings are shown for review in the CSV"

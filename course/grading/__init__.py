"""The instructor's room: release, autograde, report and the term, on nbgrader's own machinery.

Learners never import this package (``course publish`` leaves it out of their copy), and nothing outside it
imports from it. A grading run, end to end::

    course grade SUBMISSIONS
      autograde.grade      find STUDENT/ASSIGNMENT folders, reject unreadable ones, skip what the ledger says is
                           graded already (ledger), register the assignment once per source
                           (registration: exclusive, while every grading run holds it shared)
      autograde.Autograder one `nbgrader autograde` per submission, forked from a preloaded server (forked,
                           commands), jobs at a time, each kernel in a sandbox slot (sandbox) and run by
                           SafeExecute (preprocessors), which probes the testing machinery after every test
                           (integrity); feedback written as each submission finishes
      report               scores read back from the gradebook: grading-report.txt per learner, grades.csv

``assignments`` keeps ``release/`` equal to what ``generate_assignment`` makes of ``source/``; ``term`` is the term's
routine on nbgrader's exchange (due dates and late penalties); ``publish`` writes the learner's copy.
"""

from __future__ import annotations

import importlib

_HOMES = {
    "autograde": ["SLOTS", "Autograder", "GradeOptions", "Outcome", "Submission", "discover", "feedback_status",
                  "grade", "ingest", "problems_with", "select_shard", "write_feedback"],
    "commands": ["GradingError", "GradingStopped", "Stopper", "nbgrader_env", "run_nbgrader"],
    "assignments": ["generate", "release", "release_differences"],
    "registration": ["registered"],
    "report": ["GradeRow", "collect_scores", "format_scores", "write_csv", "write_report"],
}
_HOME_OF = {name: module for module, names in _HOMES.items() for name in names}
__all__ = sorted(_HOME_OF)


def __getattr__(name: str):
    """``grading.grade`` and friends, imported on first use: ``python -m course.grading.sandbox`` (every grading
    kernel's launcher) and ``python -m course.grading.forked`` must not pay for the whole grader."""
    if name in _HOME_OF:
        return getattr(importlib.import_module(f"course.grading.{_HOME_OF[name]}"), name)
    raise AttributeError(f"module 'course.grading' has no attribute {name!r}")

"""The instructor's room: release, autograde, report and the term, on nbgrader's own machinery.

Learners never import this package (``course publish`` leaves it out of their copy), and nothing outside it
imports from it. A grading run, end to end::

    course grade SUBMISSIONS
      autograde.grade      find STUDENT/ASSIGNMENT folders, reject unreadable ones, skip what the ledger says is
                           graded already (ledger), register the assignment once
      autograde.Autograder one `nbgrader autograde` per submission, forked from a preloaded server (forked,
                           commands), jobs at a time, each kernel in a sandbox slot (sandbox) and run by
                           SafeExecute (preprocessors), which probes the testing machinery after every test
                           (integrity); feedback written as each submission finishes
      report               scores read back from the gradebook: grading-report.txt per learner, grades.csv

``release`` keeps ``release/`` equal to what ``generate_assignment`` makes of ``source/``; ``term`` is the term's
routine on nbgrader's exchange (due dates and late penalties); ``publish`` writes the learner's copy.
"""

from course.grading.autograde import (
    SLOTS,
    Autograder,
    GradeOptions,
    Outcome,
    Submission,
    discover,
    feedback_status,
    grade,
    ingest,
    problems_with,
    registration_lock,
    select_shard,
    write_feedback,
)
from course.grading.commands import GradingError, GradingStopped, Stopper, nbgrader_env, run_nbgrader
from course.grading.release import generate, release, release_differences
from course.grading.report import GradeRow, collect_scores, format_scores, write_csv, write_report

__all__ = [
    "SLOTS", "Autograder", "GradeOptions", "GradeRow", "GradingError", "GradingStopped", "Outcome", "Stopper",
    "Submission", "collect_scores", "discover", "feedback_status", "format_scores", "generate", "grade", "ingest",
    "nbgrader_env", "problems_with", "registration_lock", "release", "release_differences", "run_nbgrader",
    "select_shard", "write_csv", "write_feedback", "write_report",
]

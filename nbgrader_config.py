"""nbgrader configuration for the course: this repository is the course directory.

Paths stay relative so that any copy of the course (a grader's checkout, a test's temporary folder) works.
"""

import os

c = get_config()  # noqa: F821 - injected by traitlets when nbgrader loads this file

c.CourseDirectory.course_id = "dl-course"
c.CourseDirectory.source_directory = "source"
c.CourseDirectory.release_directory = "release"
c.CourseDirectory.submitted_directory = "submitted"
c.CourseDirectory.autograded_directory = "autograded"
c.CourseDirectory.feedback_directory = "feedback"
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", ".*"]

# A writable exchange by default, so a single-machine JupyterLab does not log a critical error; on a shared
# JupyterHub set NBGRADER_EXCHANGE to the exchange every user can reach (e.g. /srv/nbgrader/exchange).
c.Exchange.root = os.environ.get(
    "NBGRADER_EXCHANGE", os.path.join(os.path.dirname(os.path.abspath(__file__)), ".nbgrader", "exchange")
)
os.makedirs(c.Exchange.root, exist_ok=True)
# Several courses can share one exchange: paths in it include the course id (students' configs must agree).
c.Exchange.path_includes_course = True

# The term: due dates and late penalties, in one place (read by nbgrader's late-penalty step and by `course term`).
# A started day late costs 10% of the score, at most 50%; `course term release` writes the due dates to the gradebook,
# and autograding (also from the formgrader, whose Release button knows no due date) applies them again.
c.Schedule.due = {  # a weekly term; edit to suit yours
    "01_linear_algebra": "2027-01-18 23:59:00 UTC",
    "02_least_squares": "2027-01-25 23:59:00 UTC",
    "03_calculus_graphs": "2027-02-01 23:59:00 UTC",
    "04_backprop_mlp": "2027-02-08 23:59:00 UTC",
    "05_training_deep_networks": "2027-02-15 23:59:00 UTC",
    "06_autodiff_pytorch": "2027-02-22 23:59:00 UTC",
    "07_convolutional_networks": "2027-03-01 23:59:00 UTC",
    "08_word_embeddings": "2027-03-08 23:59:00 UTC",
    "09_recurrent_networks": "2027-03-15 23:59:00 UTC",
    "10_attention_transformers": "2027-03-22 23:59:00 UTC",
    "11_autoencoders_vae": "2027-03-29 23:59:00 UTC",
    "12_gans": "2027-04-05 23:59:00 UTC",
    "13_reinforcement_learning": "2027-04-12 23:59:00 UTC",
}
c.Schedule.penalty_per_day = 0.10
c.Schedule.max_penalty = 0.50
c.AssignLatePenalties.plugin_class = "course.grading.term.LatePenalty"

# Execution while validating and autograding: chapters run in smoke mode (NBGRADER_EXECUTION is set), so a
# generous per-cell limit only ever bites on an endless loop.
c.Execute.timeout = 120
c.Execute.interrupt_on_timeout = True
# After a timeout the kernel is interrupted; give it time to settle and never let a slow settle fail the notebook.
c.Execute.iopub_timeout = 30
c.Execute.raise_on_iopub_timeout = False
c.Execute.error_on_timeout = {
    "ename": "CellTimeoutError",
    "evalue": "the cell ran past the time limit and was interrupted",
    "traceback": ["CellTimeoutError: the cell ran past the time limit and was interrupted"],
}

# A learner who deletes a test cell gets it back from the gradebook and is still graded on it.
c.OverwriteCells.add_missing_cells = True

# A duplicated cell (same grade_id twice) becomes an ordinary cell instead of failing the whole submission.
c.Autograde.sanitize_preprocessors = [
    "nbgrader.preprocessors.ClearOutput",
    "course.grading.preprocessors.DeduplicateIds",
    "nbgrader.preprocessors.OverwriteKernelspec",
    "nbgrader.preprocessors.OverwriteCells",
    "nbgrader.preprocessors.CheckCellMetadata",
]

# Autograding, however it is started (`course grade`, `nbgrader autograde`, the formgrader's Autograde button): the
# kernel runs in the grading sandbox (course/grading/sandbox.py; c.SafeExecute.sandbox = False turns it off, for
# trusted submissions only); a dead kernel keeps the points earned before it died; the testing machinery is checked at
# run time after every test cell, and tests that run after it was changed (monkeypatched checks, IPython hooks,
# tracers) score 0 with a message naming what changed (course/grading/integrity.py). Code that only looks unusual
# costs nothing: it is flagged for a person to review (grades.csv, grading-report.txt, the formgrader's comment).
c.Autograde.autograde_preprocessors = [
    "course.grading.preprocessors.SafeExecute",
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "nbgrader.preprocessors.SaveAutoGrades",
    "course.grading.preprocessors.FlagForReview",
    "course.grading.term.ScheduledLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
]

# Feedback shows each test's error message but never the hidden tests' code.
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "course.grading.preprocessors.HideHiddenTests",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]

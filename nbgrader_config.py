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
    "course.preprocessors.DeduplicateIds",
    "nbgrader.preprocessors.OverwriteKernelspec",
    "nbgrader.preprocessors.OverwriteCells",
    "nbgrader.preprocessors.CheckCellMetadata",
]

# Autograding: a dead kernel keeps the points earned before it died, and tests that run after code which rewires
# the testing machinery (monkeypatched checks, IPython hooks) score 0 with a message (see course/preprocessors.py).
c.Autograde.autograde_preprocessors = [
    "course.preprocessors.SafeExecute",
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "course.preprocessors.DetectTampering",
    "nbgrader.preprocessors.SaveAutoGrades",
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
]

# Feedback shows each test's error message but never the hidden tests' code.
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "course.preprocessors.HideHiddenTests",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]

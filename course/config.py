"""What the learner's helpers and the instructor's grader share: the course's nbgrader configuration, the
gradebook's address, and the few names both sides must spell the same way."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

Echo = Callable[[str], None]
HEADLESS_ENV = "COURSE_HEADLESS"
DATA_ENV = "COURSE_DATA"


def data_home() -> Path:
    """Where downloaded and generated data live (``$COURSE_DATA``); the grading sandbox exposes it read-only."""
    return Path(os.environ.get(DATA_ENV, Path.home() / ".cache" / "dl-course"))


def nbgrader_config(root: Path):
    """The course's ``nbgrader_config.py`` (with the user's and system's, as nbgrader loads them), wherever the
    caller's working directory is: nbgrader itself would also load one found there, which here would be the wrong
    course's."""
    from nbgrader.apps import NbGrader

    app = NbGrader(config_file=str(Path(root).resolve() / "nbgrader_config"))
    app.load_cwd_config = False
    app.load_config_file()
    return app.config


def course_id(root: Path) -> str:
    """The course id set in ``nbgrader_config.py`` (the gradebook is keyed by it)."""
    return nbgrader_config(root).CourseDirectory.get("course_id", "default_course")


def gradebook_url(root: Path, db_url: str | None = None) -> str:
    """The gradebook's SQLAlchemy URL: ``db_url`` when given (PostgreSQL for a class graded in shards), else the
    course's ``gradebook.db``, where SQLite waits for a concurrent writer instead of failing "database is locked"."""
    return db_url or f"sqlite:///{Path(root).resolve() / 'gradebook.db'}?timeout=120"

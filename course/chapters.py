"""The chapter model: a chapter is an nbgrader assignment, ``source/NN_slug/NN_slug.ipynb`` (``release/`` in a
learner's copy), and a course is the folder that holds ``nbgrader_config.py`` beside them."""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

CHAPTER_DIR = re.compile(r"^(\d{2})_[a-z0-9_]+$")


class CourseNotFound(FileNotFoundError):
    """No course root (a folder with ``nbgrader_config.py`` and ``source/``) above the working directory."""


def find_root(start: str | os.PathLike | None = None) -> Path:
    """The course root: ``$COURSE_ROOT``, else the nearest folder above ``start`` holding ``nbgrader_config.py``
    beside ``source/`` (the instructor's repository) or ``release/`` (the learner's copy)."""
    if os.environ.get("COURSE_ROOT"):
        return Path(os.environ["COURSE_ROOT"]).resolve()
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        has_notebooks = (folder / "source").is_dir() or (folder / "release").is_dir()
        if (folder / "nbgrader_config.py").is_file() and has_notebooks:
            return folder
    raise CourseNotFound(f"no course found at or above {here}: run this inside the course repository")


@dataclass(frozen=True)
class Chapter:
    """One chapter: its nbgrader assignment name (``01_linear_algebra``) and where its notebooks live."""

    slug: str
    root: Path

    @property
    def number(self) -> str:
        return self.slug[:2]

    @property
    def source(self) -> Path:
        return self.root / "source" / self.slug / f"{self.slug}.ipynb"

    @property
    def release(self) -> Path:
        return self.root / "release" / self.slug / f"{self.slug}.ipynb"

    @property
    def notebook(self) -> Path:
        """What ``course run`` executes: the instructor's source, or in a learner's copy their own notebook."""
        return self.source if self.source.exists() else self.release


def chapters(root: str | os.PathLike | None = None) -> list[Chapter]:
    """Every chapter under ``source/`` (or ``release/`` in a learner's copy), in course order."""
    root = Path(root) if root is not None else find_root()
    base = root / "source" if (root / "source").is_dir() else root / "release"
    found = sorted(p.name for p in base.iterdir() if p.is_dir() and CHAPTER_DIR.match(p.name))
    return [Chapter(slug, root) for slug in found]


def select(all_chapters: list[Chapter], names: list[str] | None) -> list[Chapter]:
    """Pick chapters by number (``1``, ``01``), slug or slug prefix; no names means all of them."""
    if not names:
        return list(all_chapters)
    picked: list[Chapter] = []
    for name in names:
        name = name.strip().rstrip("/").split("/")[-1].removesuffix(".ipynb")
        if name.isdigit():
            matches = [c for c in all_chapters if int(name) == int(c.number)]
        else:
            matches = [c for c in all_chapters if c.slug.startswith(name)]
        if not matches:
            known = ", ".join(c.slug for c in all_chapters)
            raise KeyError(f"no chapter matches {name!r}; chapters are: {known}")
        picked += [c for c in matches if c not in picked]
    return picked


def copy_course(root: Path, dest: Path) -> Path:
    """A minimal copy of the course directory at ``root``: its config, ``source/`` and ``release/`` (the package is
    installed, not copied), for tests and benchmarks that grade without touching the real one."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy2(root / "nbgrader_config.py", dest / "nbgrader_config.py")
    for folder in ("source", "release"):
        shutil.copytree(root / folder, dest / folder, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    return dest

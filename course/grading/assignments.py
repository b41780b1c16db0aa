"""Release: ``release/`` is exactly what ``nbgrader generate_assignment`` makes of ``source/``, and is checked."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from course.chapters import Chapter
from course.config import Echo
from course.grading.commands import run_nbgrader


def generate(chapter: Chapter, release_dir: Path, echo: Echo | None = print, db: bool = False) -> Path:
    """``nbgrader generate_assignment`` for one chapter into ``release_dir`` (by default without a gradebook)."""
    args = ["generate_assignment", chapter.slug, "--force", f"--CourseDirectory.release_directory={release_dir}"]
    if not db:
        args.append("--no-db")
    run_nbgrader(args, chapter.root, echo)
    return release_dir / chapter.slug / f"{chapter.slug}.ipynb"


def release(selected: list[Chapter], echo: Echo | None = print) -> list[Path]:
    """Regenerate ``release/`` from ``source/`` for the selected chapters."""
    return [generate(c, c.root / "release", echo) for c in selected]


def release_differences(selected: list[Chapter], echo: Echo | None = print) -> list[str]:
    """What differs between ``release/`` and a fresh ``generate_assignment``; an empty list means in sync."""
    problems = []
    with tempfile.TemporaryDirectory(prefix="course-release-") as tmp:
        for chapter in selected:
            fresh_dir = Path(tmp) / chapter.slug
            generate(chapter, Path(tmp), echo)
            committed_dir = chapter.root / "release" / chapter.slug
            fresh = {p.relative_to(fresh_dir) for p in fresh_dir.rglob("*") if p.is_file()}
            committed = ({p.relative_to(committed_dir) for p in committed_dir.rglob("*") if p.is_file()}
                         if committed_dir.is_dir() else set())
            problems += [f"release/{chapter.slug}/{p}: missing" for p in sorted(fresh - committed)]
            problems += [f"release/{chapter.slug}/{p}: not generated from source/" for p in sorted(committed - fresh)]
            for rel in sorted(fresh & committed):
                a, b = fresh_dir / rel, committed_dir / rel
                same = (json.loads(a.read_text()) == json.loads(b.read_text())) if rel.suffix == ".ipynb" \
                    else a.read_bytes() == b.read_bytes()
                if not same:
                    problems.append(f"release/{chapter.slug}/{rel}: differs from what source/ generates")
    return problems

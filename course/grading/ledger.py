"""What a grading run already did, so that a rerun (after a stop, a crash or new submissions) grades only the rest.

One small JSON file per graded submission, ``ROOT/.grading/STUDENT/ASSIGNMENT.json``, written atomically the
moment its autograde finishes. It holds the content hash of what was graded (the submitted folder and the
assignment's source), so a submission is graded again exactly when either changed. Files, not a table in the
gradebook: concurrent shards each write their own, and a grader killed with ``kill -9`` leaves only whole files.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

SKIP_PARTS = {".ipynb_checkpoints", "__pycache__"}


def content_hash(folder: Path) -> str:
    """SHA-256 of every file under ``folder`` (relative path and bytes), in a stable order."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        rel = path.relative_to(folder)
        if SKIP_PARTS & set(rel.parts):
            continue
        digest.update(str(rel).encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


@dataclass
class Entry:
    """One finished autograde: what it graded and how the process ended (enough to rebuild its CSV row)."""

    submission: str
    assignment_source: str
    returncode: int
    seconds: float
    timed_out: bool
    log_tail: str


class Ledger:
    """The ``.grading/`` folder of a course root."""

    def __init__(self, root: Path):
        self.folder = root / ".grading"

    def _path(self, student: str, assignment: str) -> Path:
        return self.folder / student / f"{assignment}.json"

    def read(self, student: str, assignment: str) -> Entry | None:
        try:
            return Entry(**json.loads(self._path(student, assignment).read_text()))
        except (OSError, ValueError, TypeError):
            return None

    def write(self, student: str, assignment: str, entry: Entry) -> None:
        path = self._path(student, assignment)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(json.dumps(asdict(entry), indent=1))
        os.replace(partial, path)

    def forget(self, student: str, assignment: str) -> None:
        self._path(student, assignment).unlink(missing_ok=True)

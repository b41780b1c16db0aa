"""What a grading run tells people: a row per submission read back from the gradebook, a report per learner,
the class's CSV and the table printed at the end."""

from __future__ import annotations

import contextlib
import csv
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from course.chapters import Chapter
from course.config import course_id
from course.table import text_table

if TYPE_CHECKING:
    from course.grading.autograde import Outcome, Submission


@dataclass
class GradeRow:
    """One line of the scores CSV."""

    student: str
    assignment: str
    status: str
    score: float = 0.0
    max_score: float = 0.0
    autograded_score: float = 0.0
    max_autograded_score: float = 0.0
    written_score: float = 0.0
    max_written_score: float = 0.0
    needs_manual_grade: bool = False
    seconds: float = 0.0
    message: str = ""
    review: str = ""
    feedback: str = ""


SANDBOX_ERRORS = {
    "TamperingDetected": "tampering detected",
    "KernelDied": "the kernel died",
    "CellTimeoutError": "a cell ran past the time limit",
}


def _incidents(autograded: Path) -> tuple[str, str]:
    """What went wrong inside a graded notebook that the learner should hear about, in one line; and what the
    grader flagged for a person to review (``FlagForReview``: no points taken), in another."""
    import nbformat

    seen: dict[str, str] = {}
    review: list[str] = []
    for path in sorted(autograded.glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        review += [f"{path.name} {line}" for line in nb.metadata.get("course", {}).get("review", [])]
        for cell in nb.cells:
            for out in cell.get("outputs", []):
                name = out.get("ename") if out.get("output_type") == "error" else None
                if name in SANDBOX_ERRORS and name not in seen:
                    seen[name] = f"{SANDBOX_ERRORS[name]}: {str(out.get('evalue', '')).strip()[:600]}"
    return " | ".join(seen.values()), " | ".join(review)


def collect_scores(root: Path, db: str, submissions: list[Submission], known: dict[str, Chapter],
                   outcomes: dict[Submission, Outcome], rejected: dict[Submission, str]) -> list[GradeRow]:
    """Read each submission's scores back from the gradebook; a submission nbgrader could not grade gets 0."""
    from nbgrader.api import Gradebook, MissingEntry

    rows = []
    with Gradebook(db, course_id=course_id(root)) as gb:
        for sub in submissions:
            row = GradeRow(sub.student, sub.assignment, "graded")
            if sub.assignment not in known:
                row.status, row.message = "rejected", f"unknown assignment {sub.assignment!r}"
                rows.append(row)
                continue
            with contextlib.suppress(MissingEntry):
                a = gb.find_assignment(sub.assignment)
                row.max_score, row.max_autograded_score, row.max_written_score = \
                    a.max_score, a.max_code_score, a.max_written_score
            outcome = outcomes.get(sub)
            if outcome is None:
                row.status, row.message = "rejected", rejected.get(sub) or "not graded"
                rows.append(row)
                continue
            if outcome.stopped:
                row.status = "not graded"
                row.message = ("the run was stopped before this submission was graded: run the same `course grade` "
                               "command again to grade only what is missing")
                rows.append(row)
                continue
            row.seconds = round(outcome.seconds, 1)
            if outcome.timed_out:
                row.status = "error"
                row.message = (f"grading stopped after {outcome.seconds:.0f} s, the time limit for a notebook: "
                               "an endless loop or a very slow cell. Make every cell finish and resubmit.")
                rows.append(row)
                continue
            autograded = root / "autograded" / sub.student / sub.assignment
            try:
                s = gb.find_submission(sub.assignment, sub.student)
            except MissingEntry:
                s = None
            if outcome.returncode != 0 or s is None or not autograded.is_dir():
                row.status, row.message = "error", _failure_message(outcome.log)
                rows.append(row)
                continue
            row.score, row.max_score = s.score, s.max_score
            row.autograded_score, row.max_autograded_score = s.code_score, s.max_code_score
            row.written_score, row.max_written_score = s.written_score, s.max_written_score
            row.needs_manual_grade = bool(s.needs_manual_grade)
            row.message, row.review = _incidents(autograded)
            rows.append(row)
    return rows


def _failure_message(log: str) -> str:
    relevant = [ln.strip() for ln in log.splitlines() if "ERROR" in ln or "Error" in ln]
    detail = " | ".join(relevant[-3:])[:500]
    return f"nbgrader could not grade this submission: {detail}" if detail else \
        "nbgrader could not grade this submission"


def write_report(root: Path, row: GradeRow) -> Path:
    """A plain-text note beside the feedback HTML saying what the grader did with this submission."""
    folder = root / "feedback" / row.student / row.assignment
    folder.mkdir(parents=True, exist_ok=True)
    lines = [f"{row.assignment}: {row.status}",
             f"score {row.score:g} / {row.max_score:g} (autograded {row.autograded_score:g} / "
             f"{row.max_autograded_score:g}, written {row.written_score:g} / {row.max_written_score:g}"
             + (", written answers not graded yet)" if row.needs_manual_grade else ")")]
    if row.message:
        lines.append(row.message)
    if row.review:
        lines.append(f"flagged for review (no points were taken; an instructor may look): {row.review}")
    if row.feedback.startswith("failed"):
        lines.append(f"feedback could not be generated ({row.feedback[len('failed: '):]}): the scores above stand")
    path = folder / "grading-report.txt"
    path.write_text("\n".join(lines) + "\n")
    return path


def write_csv(rows: list[GradeRow], path: Path) -> Path:
    """One row per (student, assignment) with total, autograded and written scores."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(GradeRow.__dataclass_fields__))
        writer.writeheader()
        for row in rows:
            writer.writerow(asdict(row))
    return path


def format_scores(rows: list[GradeRow]) -> str:
    """A terminal table of the run's scores, then one line per message."""
    table = [("student", "assignment", "status", "score", "autograded", "written", "seconds")]
    table += [(r.student, r.assignment, r.status, f"{r.score:g}/{r.max_score:g}",
               f"{r.autograded_score:g}/{r.max_autograded_score:g}",
               f"{r.written_score:g}/{r.max_written_score:g}" + (" (to grade)" if r.needs_manual_grade else ""),
               f"{r.seconds:.1f}")
              for r in rows]
    lines = [text_table(table, right={6})]
    lines += [f"{r.student}/{r.assignment}: {r.message}" for r in rows if r.message]
    lines += [f"{r.student}/{r.assignment}: review: {r.review}" for r in rows if r.review]
    lines += [f"{r.student}/{r.assignment}: feedback {r.feedback}" for r in rows if r.feedback.startswith("failed")]
    return "\n".join(lines)

"""The instructor's side, on nbgrader's own machinery: release notebooks, autograde submissions, feedback, export.

Every step is an ``nbgrader`` command run in a subprocess (printed before it runs, so nothing is hidden and any
step can be repeated by hand). Grading is planned as a list of :class:`GradingJob` — one per assignment — run by a
runner function; sandboxed and parallel runners slot in there without changing the rest.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from nbgrader.preprocessors import ClearHiddenTests

from course.notebooks import Chapter

Echo = Callable[[str], None]


class GradingError(RuntimeError):
    """An nbgrader step failed in a way that stops the whole run (not one student's submission)."""


def nbgrader_env() -> dict[str, str]:
    """The environment for nbgrader: this interpreter's ``bin/`` first on PATH (nbgrader shells out to alembic)."""
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    return env


def run_nbgrader(args: list[str], cwd: Path, echo: Echo | None = print, check: bool = True,
                 timeout: float | None = None) -> subprocess.CompletedProcess:
    """Run ``nbgrader ARGS`` in the course root and return the completed process (output captured)."""
    if echo:
        echo(f"$ nbgrader {shlex.join(args)}")
    proc = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=cwd, env=nbgrader_env(),
                          capture_output=True, text=True, timeout=timeout)
    if check and proc.returncode != 0:
        raise GradingError(f"`nbgrader {shlex.join(args)}` failed (exit {proc.returncode}):\n{_tail(proc.stderr)}")
    return proc


def _tail(text: str, lines: int = 25) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


def course_id(root: Path) -> str:
    """The course id set in ``nbgrader_config.py`` (the gradebook is keyed by it)."""
    from traitlets.config.loader import PyFileConfigLoader

    cfg = PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config()
    return cfg.CourseDirectory.get("course_id", "default_course")


# ---------------------------------------------------------------- release


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


# ---------------------------------------------------------------- grading


@dataclass(frozen=True)
class Submission:
    """One student's submission of one assignment, laid out as nbgrader's ``submitted/STUDENT/ASSIGNMENT/``."""

    student: str
    assignment: str
    path: Path


def discover(submissions_dir: Path) -> list[Submission]:
    """Every ``STUDENT/ASSIGNMENT/`` folder under ``submissions_dir`` (hidden folders skipped)."""
    found = []
    for student in sorted(p for p in submissions_dir.iterdir() if p.is_dir() and not p.name.startswith(".")):
        for assignment in sorted(p for p in student.iterdir() if p.is_dir() and not p.name.startswith(".")):
            found.append(Submission(student.name, assignment.name, assignment))
    return found


@dataclass
class GradingJob:
    """One unit of autograding work: an assignment and the students whose submissions it grades."""

    assignment: str
    students: list[str]


@dataclass
class JobOutcome:
    job: GradingJob
    returncode: int
    log: str


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
    message: str = ""


@dataclass
class GradingRun:
    """Where a grading run works and what it keeps: the course root is an nbgrader course directory."""

    root: Path
    db_url: str | None = None
    feedback: bool = True
    echo: Echo | None = print
    outcomes: list[JobOutcome] = field(default_factory=list)

    @property
    def db_args(self) -> list[str]:
        return [f"--CourseDirectory.db_url={self.db_url}"] if self.db_url else []

    @property
    def url(self) -> str:
        return self.db_url or f"sqlite:///{self.root / 'gradebook.db'}"


Runner = Callable[[GradingJob, GradingRun], JobOutcome]


def run_serial(job: GradingJob, run: GradingRun) -> JobOutcome:
    """Autograde one assignment for its students in a single nbgrader process (nbgrader's own per-student loop).

    nbgrader grades each student in turn and keeps going past a failing one, so one broken submission costs only
    that student; the sandboxed and parallel runners replace this function.
    """
    args = ["autograde", job.assignment, "--create", "--force", *run.db_args]
    if len(job.students) == 1:
        args.append(f"--student={job.students[0]}")
    proc = run_nbgrader(args, run.root, run.echo, check=False)
    return JobOutcome(job, proc.returncode, proc.stdout + proc.stderr)


def problems_with(sub: Submission) -> str:
    """Why a submission cannot be graded as it stands (empty folder, unreadable notebook), or ``""``."""
    import nbformat

    notebooks = sorted(sub.path.glob("*.ipynb"))
    if not notebooks:
        return f"no notebook in the submission (found: {', '.join(p.name for p in sub.path.iterdir()) or 'nothing'})"
    for path in notebooks:
        try:
            nbformat.validate(nbformat.read(path, as_version=4))
        except Exception as exc:  # noqa: BLE001 - any unreadable file is the student's problem, reported to them
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            return f"{path.name} is not a valid notebook ({type(exc).__name__}: {first[:200]})"
    return ""


def ingest(submissions: list[Submission], root: Path) -> None:
    """Copy submissions into ``ROOT/submitted/`` unless they already are there (nbgrader reads only that folder)."""
    submitted = (root / "submitted").resolve()
    for sub in submissions:
        target = submitted / sub.student / sub.assignment
        if sub.path.resolve() == target:
            continue
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(sub.path, target)


def grade(submissions_dir: Path, root: Path, chapters: list[Chapter], db_url: str | None = None,
          csv_path: Path | None = None, feedback: bool = True, runner: Runner = run_serial,
          echo: Echo | None = print) -> list[GradeRow]:
    """Autograde every submission under ``submissions_dir``, write feedback and a scores CSV, return the rows."""
    submissions = discover(submissions_dir)
    if not submissions:
        raise GradingError(f"no submissions under {submissions_dir}: expected STUDENT/ASSIGNMENT/*.ipynb folders")
    run = GradingRun(root, db_url, feedback, echo)
    ingest(submissions, root)
    known = {c.slug: c for c in chapters}
    by_assignment: dict[str, list[str]] = {}
    for sub in submissions:
        by_assignment.setdefault(sub.assignment, []).append(sub.student)

    with tempfile.TemporaryDirectory(prefix="course-grade-") as scratch:
        for assignment, students in sorted(by_assignment.items()):
            if assignment not in known:
                continue
            args = ["generate_assignment", assignment, "--force",
                    f"--CourseDirectory.release_directory={scratch}", *run.db_args]
            run_nbgrader(args, root, echo)
            run.outcomes.append(runner(GradingJob(assignment, students), run))
            if feedback:
                run_nbgrader(["generate_feedback", assignment, "--force", *run.db_args], root, echo, check=False)

    rows = collect_scores(run, submissions, known)
    write_csv(rows, csv_path or root / "grades.csv")
    return rows


def collect_scores(run: GradingRun, submissions: list[Submission], known: dict[str, Chapter]) -> list[GradeRow]:
    """Read each submission's scores back from the gradebook; a submission nbgrader could not grade gets 0."""
    from nbgrader.api import Gradebook, MissingEntry

    logs = {o.job.assignment: o.log for o in run.outcomes}
    rows = []
    with Gradebook(run.url, course_id=course_id(run.root)) as gb:
        for sub in submissions:
            row = GradeRow(sub.student, sub.assignment, "graded")
            if sub.assignment not in known:
                row.status, row.message = "rejected", f"unknown assignment {sub.assignment!r}"
                rows.append(row)
                continue
            autograded = run.root / "autograded" / sub.student / sub.assignment
            try:
                s = gb.find_submission(sub.assignment, sub.student)
            except MissingEntry:
                s = None
            if s is None or not autograded.is_dir():
                row.status = "error"
                row.message = problems_with(sub) or _failure_message(logs.get(sub.assignment, ""), sub)
                with contextlib.suppress(MissingEntry):
                    row.max_score = gb.find_assignment(sub.assignment).max_score
                rows.append(row)
                continue
            row.score, row.max_score = s.score, s.max_score
            row.autograded_score, row.max_autograded_score = s.code_score, s.max_code_score
            row.written_score, row.max_written_score = s.written_score, s.max_written_score
            row.needs_manual_grade = bool(s.needs_manual_grade)
            rows.append(row)
    return rows


def _failure_message(log: str, sub: Submission) -> str:
    marker = f"{os.sep}{sub.student}{os.sep}{sub.assignment}"
    relevant = [ln for ln in log.splitlines() if "ERROR" in ln or marker in ln]
    return ("nbgrader could not grade this submission: " + " | ".join(relevant[-3:]))[:500] if relevant \
        else "nbgrader could not grade this submission"


def write_csv(rows: list[GradeRow], path: Path) -> Path:
    """One row per (student, assignment) with total, autograded and written scores."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fields = list(asdict(rows[0]).keys()) if rows else [f for f in GradeRow.__dataclass_fields__]
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields)
        writer.writeheader()
        for row in rows:
            writer.writerow(asdict(row))
    return path


def format_scores(rows: list[GradeRow]) -> str:
    """A terminal table of the run's scores."""
    table = [("student", "assignment", "status", "score", "autograded", "written")]
    table += [(r.student, r.assignment, r.status, f"{r.score:g}/{r.max_score:g}",
               f"{r.autograded_score:g}/{r.max_autograded_score:g}",
               f"{r.written_score:g}/{r.max_written_score:g}" + (" (to grade)" if r.needs_manual_grade else ""))
              for r in rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths)) for row in table]
    lines.insert(1, "  ".join("-" * w for w in widths))
    lines += [f"{r.student}/{r.assignment}: {r.message}" for r in rows if r.message]
    return "\n".join(lines)


class HideHiddenTests(ClearHiddenTests):
    """Feedback preprocessor: drop hidden-test code from test cells and tracebacks that would quote it.

    nbgrader's feedback shows hidden tests by design (jupyter/nbgrader#917). Learners here may resubmit, so the
    feedback keeps each failing test's error name and message but neither the hidden code nor its traceback.
    """

    def preprocess_cell(self, cell, resources, cell_index):
        cell, resources = super().preprocess_cell(cell, resources, cell_index)
        if cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("grade"):
            for out in cell.get("outputs", []):
                if out.get("output_type") == "error":
                    out["traceback"] = [f"{out.get('ename', 'Error')}: {out.get('evalue', '')}"]
        return cell, resources

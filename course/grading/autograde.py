"""Autograding a class: one ``nbgrader autograde`` per submission, sandboxed, in parallel, resumable.

Each submission's autograde is forked from a server that imported nbgrader once (:mod:`course.grading.forked`),
``jobs`` at a time, each with its kernel in a sandbox slot (:mod:`course.grading.sandbox`) and under a wall-clock
limit, so a hostile or endless submission costs only its own points. What was graded is recorded
(:mod:`course.grading.ledger`), so a stopped or crashed run resumes where it was; scores, reports and the CSV come
from :mod:`course.grading.report`.
"""

from __future__ import annotations

import importlib
import os
import queue
import shlex
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from course.chapters import Chapter
from course.config import Echo, gradebook_url
from course.device import share_threads
from course.grading import ledger, sandbox
from course.grading.commands import GradingError, GradingStopped, Stopper, nbgrader_env, run_nbgrader
from course.grading.registration import registered
from course.grading.report import GradeRow, collect_scores, write_csv, write_report
from course.grading.sandbox import Limits


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


def problems_with(sub: Submission, expected: set[str] | None = None) -> str:
    """Why a submission cannot be graded as it stands (no notebook, unreadable or misnamed notebook), or ``""``."""
    import nbformat

    notebooks = sorted(sub.path.glob("*.ipynb"))
    if not notebooks:
        found = ", ".join(p.name for p in sub.path.iterdir()) or "nothing"
        return f"no notebook in the submission (found: {found})"
    for path in notebooks:
        try:
            nbformat.validate(nbformat.read(path, as_version=4))
        except Exception as exc:  # noqa: BLE001 - any unreadable file is the student's problem, reported to them
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else "empty file"
            return f"{path.name} is not a valid notebook ({type(exc).__name__}: {first[:200]})"
    if expected and not expected & {p.stem for p in notebooks}:
        return (f"expected {', '.join(sorted(n + '.ipynb' for n in expected))}, got "
                f"{', '.join(p.name for p in notebooks)}: a notebook of another assignment?")
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


@dataclass
class GradeOptions:
    """How a grading run behaves; the defaults are the safe ones."""

    db_url: str | None = None
    jobs: int = field(default_factory=lambda: os.cpu_count() or 1)
    sandbox: bool = True
    cell_timeout: int = 120
    notebook_timeout: int = 900
    grader_memory_bytes: int = 8 * 2**30
    limits: Limits = field(default_factory=Limits)
    feedback: bool = True
    regrade: bool = False
    integrity_checks: bool = True
    shard: tuple[int, int] = (1, 1)
    uid_base: int = field(default_factory=lambda: sandbox.BASE_UID + 1000 * sandbox.uid_block())

    def slot_uid(self, slot: int) -> int:
        """The sandbox uid of a grading slot: per run (from the pid, or ``$COURSE_SANDBOX_UID_BLOCK``: see
        :func:`course.grading.sandbox.uid_block`), so that concurrent runs on one machine, such as shards, never
        share a uid and with it a process limit or each other's leftovers."""
        return self.uid_base + slot

    def run_uids(self) -> range:
        """Every sandbox uid this run may use (:data:`SLOTS` of them; ``sandbox.Slot`` takes the next 500)."""
        return range(self.slot_uid(0), self.slot_uid(SLOTS))

    def db_for(self, root: Path) -> str:
        """The gradebook URL; SQLite waits for a concurrent writer instead of failing with "database is locked"."""
        return gradebook_url(root, self.db_url)


def select_shard(submissions: list[Submission], index: int, count: int) -> list[Submission]:
    """The submissions of every ``count``-th student (sorted by id), starting at the ``index``-th (1-based)."""
    if not 1 <= index <= count:
        raise GradingError(f"shard {index}/{count} does not exist: use 1/{count} … {count}/{count}")
    students = sorted({s.student for s in submissions})
    mine = set(students[index - 1::count])
    return [s for s in submissions if s.student in mine]


@dataclass
class Outcome:
    """What happened to one submission's ``nbgrader autograde`` process."""

    submission: Submission
    returncode: int
    log: str
    seconds: float
    timed_out: bool = False
    stopped: bool = False
    reused: bool = False
    feedback: str = ""


SLOTS = 500


class Autograder:
    """Runs one ``nbgrader autograde`` per submission, ``jobs`` at a time, each in its own sandbox slot.

    A slot owns a uid (process limits are per uid) and a folder for the kernel's ipc sockets, readable by that uid
    alone, so concurrent kernels never share either. Slots are handed out in turn, least recently used first, and
    a finished slot's leftover processes are killed before it goes back: a fork bomb's dying children, still
    counted against their uid's process limit, can never make the next submission's kernel fail to start. Each
    process runs under a memory cap and a wall-clock limit; on timeout its whole process group (nbgrader,
    bubblewrap, the kernel and anything it forked) is killed.
    """

    def __init__(self, root: Path, options: GradeOptions, scratch: Path, echo: Echo | None = print,
                 stopper: Stopper | None = None, on_done: Callable[[Outcome], None] | None = None):
        self.root, self.options, self.scratch, self.echo = root, options, scratch, echo
        self.stopper, self.on_done = stopper or Stopper(), on_done
        if options.jobs > SLOTS:
            raise GradingError(f"--jobs {options.jobs}: at most {SLOTS} submissions at a time (one uid each)")
        self.slots: queue.Queue[int] = queue.Queue()
        for slot in range(SLOTS):
            self.slots.put(slot)
        if options.sandbox:
            sandbox.check_available()
            sandbox.install_kernelspec(scratch / "jupyter")
            self.hidden = sandbox.default_hidden(root)
            self.exposed = sandbox.default_exposed()

    def _slot_env(self, slot: int) -> tuple[dict[str, str], list[str]]:
        ipc = self.scratch / f"slot-{slot}"
        if ipc.exists():
            shutil.rmtree(ipc)
        ipc.mkdir(parents=True)
        env = {"JUPYTER_RUNTIME_DIR": str(ipc)}
        args = [f"--Execute.timeout={self.options.cell_timeout}"]
        if not self.options.integrity_checks:
            args.append("--SafeExecute.integrity_checks=False")
        if not self.options.sandbox:
            args.append("--SafeExecute.sandbox=False")
        if self.options.sandbox:
            sandbox.own_ipc_dir(ipc, self.options.slot_uid(slot))
            cfg = sandbox.SandboxConfig(ipc_dir=str(ipc), hide=self.hidden, expose=self.exposed,
                                        uid=self.options.slot_uid(slot),
                                        limits=self.options.limits)
            env[sandbox.CONFIG_ENV] = str(cfg.write(self.scratch / f"slot-{slot}.json"))
            env["JUPYTER_PATH"] = str(self.scratch / "jupyter")
            args += [f"--Execute.kernel_name={sandbox.KERNEL_NAME}", "--KernelManager.transport=ipc",
                     f"--KernelManager.ip={ipc / 'kernel'}"]
        return env, args

    def grade_one(self, sub: Submission) -> Outcome:
        slot = self.slots.get()
        try:
            if self.stopper.signum is not None:
                return Outcome(sub, -self.stopper.signum, "", 0.0, stopped=True)
            env, extra = self._slot_env(slot)
            args = ["autograde", sub.assignment, f"--student={sub.student}", "--create", "--force",
                    f"--CourseDirectory.db_url={self.options.db_for(self.root)}", *extra]
            if self.echo:
                self.echo(f"$ nbgrader {shlex.join(args[:5])} …")
            log_path = self.scratch / f"slot-{slot}.log"
            start = time.perf_counter()
            try:
                proc = self.stopper.nbgrader(args, self.root, {**nbgrader_env(), **env}, log_path,
                                             self.options.grader_memory_bytes)
            except GradingStopped:
                return Outcome(sub, -self.stopper.signum, "", 0.0, stopped=True)
            try:
                timed_out = proc.wait(self.options.notebook_timeout) is None
                if timed_out:
                    self.stopper.kill(proc)
                    proc.wait()
            finally:
                self.stopper.finished(proc)
            log = log_path.read_text(errors="replace") if log_path.exists() else ""
            outcome = Outcome(sub, proc.returncode, log, time.perf_counter() - start, timed_out,
                              stopped=self.stopper.signum is not None and proc.returncode < 0)
            if self.on_done and not outcome.stopped:
                self.on_done(outcome)
            if self.options.feedback and proc.returncode == 0 and not timed_out:
                outcome.feedback = self.write_feedback(sub, slot)
            return outcome
        finally:
            if self.options.sandbox:
                sandbox.reap([self.options.slot_uid(slot)])
            self.slots.put(slot)

    def write_feedback(self, sub: Submission, slot: int) -> str:
        """Feedback for one graded submission, written while other slots still grade: in a batch at the end of the
        run it was a serial tail of about a second per submission."""
        started = time.time() - 1
        args = ["generate_feedback", sub.assignment, "--force", f"--CourseDirectory.student_id={sub.student}",
                f"--CourseDirectory.db_url={self.options.db_for(self.root)}"]
        log_path = self.scratch / f"slot-{slot}-feedback.log"
        try:
            proc = self.stopper.nbgrader(args, self.root, nbgrader_env(), log_path, self.options.grader_memory_bytes)
        except GradingStopped:
            return ""
        try:
            if proc.wait(self.options.notebook_timeout) is None:
                self.stopper.kill(proc)
                proc.wait()
        finally:
            self.stopper.finished(proc)
        log = log_path.read_text(errors="replace") if log_path.exists() else ""
        return feedback_status(self.root, sub, started, proc.returncode, log)

    def grade_all(self, submissions: list[Submission]) -> list[Outcome]:
        share_threads(self.options.jobs)
        # The scores are read back with nbgrader's API afterwards: import it while this thread only waits.
        threading.Thread(target=importlib.import_module, args=("nbgrader.api",), daemon=True).start()
        with ThreadPoolExecutor(max_workers=max(1, self.options.jobs)) as pool:
            return list(pool.map(self.grade_one, submissions))


def grade(submissions_dir: Path, root: Path, chapters: list[Chapter], options: GradeOptions | None = None,
          csv_path: Path | None = None, echo: Echo | None = print,
          assignments: set[str] | None = None) -> list[GradeRow]:
    """Autograde every submission under ``submissions_dir`` (of ``assignments``, when given), write feedback and a
    scores CSV, return the rows.

    Submissions graded before, unchanged since and of an unchanged assignment are not graded again (the ledger,
    :mod:`course.grading.ledger`) unless ``options.regrade``. SIGINT or SIGTERM stops the run: the CSV is written
    with what was not graded, then :class:`GradingStopped` is raised.
    """
    options = options or GradeOptions()
    submissions = [s for s in discover(submissions_dir) if assignments is None or s.assignment in assignments]
    if not submissions:
        raise GradingError(f"no submissions under {submissions_dir}: expected STUDENT/ASSIGNMENT/*.ipynb folders")
    submissions = select_shard(submissions, *options.shard)
    stopper = Stopper()
    stopper.server.open()  # its imports overlap with reading and hashing the submissions
    try:
        known = {c.slug: c for c in chapters}
        expected = {slug: {p.stem for p in (c.source.parent).glob("*.ipynb")} for slug, c in known.items()}
        rejected = {s: problems_with(s, expected.get(s.assignment)) for s in submissions if s.assignment in known}
        gradable = [s for s in submissions if s.assignment in known and not rejected[s]]
        book = ledger.Ledger(root)
        sources = {slug: ledger.content_hash(known[slug].source.parent) for slug in {s.assignment for s in gradable}}
        hashes = {s: ledger.content_hash(s.path) for s in gradable}
        outcomes = {} if options.regrade else _up_to_date(gradable, book, hashes, sources)
        todo = [s for s in gradable if s not in outcomes]
        if echo and outcomes:
            echo(f"{len(outcomes)} submission(s) unchanged since they were graded: not graded again (--regrade forces)")
        ingest(todo, root)
    except BaseException:
        stopper.server.close()
        raise
    db = options.db_for(root)

    def record(outcome: Outcome) -> None:
        sub = outcome.submission
        book.write(sub.student, sub.assignment, ledger.Entry(hashes[sub], sources[sub.assignment], outcome.returncode,
                                                             round(outcome.seconds, 1), outcome.timed_out,
                                                             outcome.log[-4000:]))

    with stopper.on_signals(), tempfile.TemporaryDirectory(prefix="course-grade-") as tmp:
        scratch = Path(tmp)
        scratch.chmod(0o755)
        try:
            if todo:
                for sub in todo:
                    book.forget(sub.student, sub.assignment)
                autograder = Autograder(root, options, scratch, echo, stopper, on_done=record)

                def register(assignment: str) -> None:
                    run_nbgrader(["generate_assignment", assignment, "--force", f"--CourseDirectory.db_url={db}",
                                  f"--CourseDirectory.release_directory={scratch / 'release'}"], root, echo,
                                 stopper=stopper)

                with registered(db, root, {s.assignment: sources[s.assignment] for s in todo}, register, stopper, echo):
                    outcomes.update({o.submission: o for o in autograder.grade_all(todo)})
            feedback = {}
            if options.feedback and stopper.signum is None:
                feedback = _feedback(root, gradable, outcomes, db, echo, stopper)
        except GradingStopped:
            feedback = {}
    for sub in todo:
        outcomes.setdefault(sub, Outcome(sub, -(stopper.signum or 0), "", 0.0, stopped=True))
    rows = collect_scores(root, db, submissions, known, outcomes, rejected)
    for row in rows:
        row.feedback = feedback.get((row.student, row.assignment), row.feedback)
    if options.feedback:
        for row in rows:
            if row.status != "not graded":
                write_report(root, row)
    write_csv(rows, csv_path or root / "grades.csv")
    if stopper.signum is not None:
        raise GradingStopped(stopper.signum, rows)
    return rows


def _up_to_date(gradable: list[Submission], book: ledger.Ledger, hashes: dict[Submission, str],
                sources: dict[str, str]) -> dict[Submission, Outcome]:
    """The submissions whose last grading still stands, as the outcomes recorded then."""
    found = {}
    for sub in gradable:
        entry = book.read(sub.student, sub.assignment)
        if entry and entry.submission == hashes[sub] and entry.assignment_source == sources[sub.assignment]:
            found[sub] = Outcome(sub, entry.returncode, entry.log_tail, entry.seconds, entry.timed_out, reused=True)
    return found


def _feedback(root: Path, gradable: list[Submission], outcomes: dict[Submission, Outcome], db: str,
              echo: Echo | None, stopper: Stopper) -> dict[tuple[str, str], str]:
    """Per submission, whether its feedback was written or why not: what the autograde slots wrote as they went,
    and, in one batch, feedback still missing (earlier gradings that have none yet)."""
    def has_feedback(sub: Submission) -> bool:
        return any((root / "feedback" / sub.student / sub.assignment).glob("*.html"))

    result = {(s.student, s.assignment): outcomes[s].feedback for s in gradable
              if s in outcomes and outcomes[s].feedback}
    wanted = [s for s in gradable if s in outcomes and outcomes[s].returncode == 0 and not outcomes[s].timed_out
              and not outcomes[s].feedback and (not outcomes[s].reused or not has_feedback(s))]
    started = time.time() - 1
    for assignment in sorted({s.assignment for s in wanted}):
        students = {s.student for s in wanted if s.assignment == assignment}
        proc = write_feedback(root, assignment, students, db, echo, stopper)
        for sub in (s for s in wanted if s.assignment == assignment):
            result[(sub.student, sub.assignment)] = feedback_status(root, sub, started, proc.returncode,
                                                                    proc.stdout + proc.stderr)
    for sub in gradable:
        if sub in outcomes and outcomes[sub].reused and (sub.student, sub.assignment) not in result:
            result[(sub.student, sub.assignment)] = "written"
    return result


def feedback_status(root: Path, sub: Submission, since: float, returncode: int, output: str) -> str:
    """``written`` when nbgrader wrote this submission's feedback after ``since``; otherwise ``failed:`` and why."""
    folder = root / "feedback" / sub.student / sub.assignment
    if any(p.stat().st_mtime >= since for p in folder.glob("*.html")):
        return "written"
    errors = [ln.strip() for ln in output.splitlines() if "ERROR" in ln or "Error" in ln]
    why = " | ".join(errors[-2:])[:300] or f"nbgrader generate_feedback exited {returncode}"
    return f"failed: {why}"


def write_feedback(root: Path, assignment: str, students: set[str], db: str, echo: Echo | None,
                   stopper: Stopper | None = None) -> subprocess.CompletedProcess:
    """``nbgrader generate_feedback`` for this run's students only (other shards write their own)."""
    graded = root / "autograded"
    others = sorted(p.name for p in graded.iterdir() if p.is_dir() and p.name not in students) \
        if graded.is_dir() else []
    args = ["generate_feedback", assignment, "--force", f"--CourseDirectory.db_url={db}"]
    if others:
        args.append(f"--CourseDirectory.student_id_exclude={','.join(others)}")
    return run_nbgrader(args, root, echo, check=False, stopper=stopper)

"""The instructor's term on nbgrader's exchange: release, collect, grade, feedback, export — one chapter or all.

Each step is the nbgrader command an instructor would type, printed before it runs (``--dry-run`` prints only).
Due dates and late penalties live in one place, ``nbgrader_config.py`` (the :class:`Schedule` section), where both
nbgrader (through :class:`LatePenalty`) and ``course`` read them.
"""

from __future__ import annotations

import csv
import math
import shlex
from pathlib import Path

from nbgrader.plugins import LateSubmissionPlugin
from nbgrader.preprocessors import AssignLatePenalties
from traitlets import Dict, Float
from traitlets.config import Configurable

from course.chapters import Chapter
from course.config import Echo, course_id, gradebook_url, nbgrader_config

DAY = 86_400


class Schedule(Configurable):
    """Due dates and late penalties per chapter (``c.Schedule.due = {"01_linear_algebra": "2027-01-18 23:59 UTC"}``)."""

    due = Dict(help="chapter -> due date, as nbgrader parses it (e.g. '2027-01-18 23:59:00 UTC')").tag(config=True)
    penalty_per_day = Float(0.1, help="fraction of the score lost per started day late").tag(config=True)
    max_penalty = Float(0.5, help="the most a late submission can lose, as a fraction of its score").tag(config=True)
    overrides = Dict(help="chapter -> {'penalty_per_day': x, 'max_penalty': y} for exceptions").tag(config=True)

    def penalty_fraction(self, chapter: str, seconds_late: float) -> float:
        """Fraction of the score lost: ``per_day`` for every started day late, capped at ``max_penalty``."""
        if seconds_late <= 0:
            return 0.0
        rule = {"penalty_per_day": self.penalty_per_day, "max_penalty": self.max_penalty,
                **self.overrides.get(chapter, {})}
        return min(rule["max_penalty"], math.ceil(seconds_late / DAY) * rule["penalty_per_day"])


class LatePenalty(LateSubmissionPlugin):
    """nbgrader's late-submission plugin, driven by the course :class:`Schedule` of the chapter being graded."""

    def late_submission_penalty(self, student_id: str, score: float, total_seconds_late: float) -> float | None:
        chapter = getattr(self.parent, "assignment_id", "")
        fraction = Schedule(config=self.config).penalty_fraction(chapter, total_seconds_late)
        self.log.info("%s is %.0f s late on %s: penalty %.0f%%", student_id, total_seconds_late, chapter,
                      100 * fraction)
        return score * fraction


class ScheduledLatePenalties(AssignLatePenalties):
    """nbgrader's late-penalty step with the chapter's due date from the course :class:`Schedule`: however an
    assignment reached the gradebook (``course term release``, or the formgrader's Generate and Release buttons,
    which know no due date), the schedule in ``nbgrader_config.py`` decides. Chapters it does not name keep the
    gradebook's date (e.g. one typed in the formgrader)."""

    def preprocess(self, nb, resources):
        from nbgrader.api import Gradebook
        from nbgrader.utils import parse_utc

        info = resources["nbgrader"]
        due = Schedule(config=self.config).due.get(info["assignment"])
        if due:
            with Gradebook(info["db_url"]) as gb:
                assignment = gb.find_assignment(info["assignment"])
                if assignment.duedate != parse_utc(due):
                    self.log.info("due date of %s from the course schedule: %s", info["assignment"], due)
                    assignment.duedate = parse_utc(due)
                    gb.db.commit()
        return super().preprocess(nb, resources)


def load_schedule(root: Path) -> Schedule:
    return Schedule(config=nbgrader_config(root))


class Term:
    """The routine steps of a term for a set of chapters, run (or, with ``dry_run``, only printed) in order."""

    def __init__(self, root: Path, chapters: list[Chapter], dry_run: bool = False, echo: Echo = print,
                 db_url: str | None = None):
        self.root, self.chapters, self.dry_run, self.echo, self.db_url = root, chapters, dry_run, echo, db_url
        self.schedule = load_schedule(root)

    def nbgrader(self, *args: str) -> None:
        from course.grading.commands import run_nbgrader

        if self.db_url:
            args = (*args, f"--CourseDirectory.db_url={self.db_url}")
        if self.dry_run:
            self.echo(f"$ nbgrader {shlex.join(args)}")
        else:
            run_nbgrader(list(args), self.root, self.echo)

    def release(self) -> None:
        """Register each chapter with its due date, regenerate its student version, put it in the exchange."""
        for c in self.chapters:
            due = self.schedule.due.get(c.slug)
            self.nbgrader("db", "assignment", "add", c.slug, *([f"--duedate={due}"] if due else []))
            self.nbgrader("generate_assignment", c.slug, "--force")
            self.nbgrader("release_assignment", c.slug, "--force")

    def collect(self) -> None:
        """Copy every student's newest submission from the exchange into ``submitted/``."""
        for c in self.chapters:
            self.nbgrader("collect", c.slug, "--update")

    def grade(self, options=None) -> list:
        """Autograde what ``collect`` gathered (sandboxed, parallel): :func:`course.grading.grade`."""
        from course.grading.autograde import GradeOptions, grade

        submitted = self.root / "submitted"
        slugs = {c.slug for c in self.chapters}
        if self.dry_run:
            self.echo(f"# course grade {submitted} (chapters: {', '.join(sorted(slugs))}):")
            for c in self.chapters:
                self.echo(f"$ nbgrader autograde {c.slug} --student=STUDENT --create --force   # one per submission")
                self.echo(f"$ nbgrader generate_feedback {c.slug} --force")
            return []
        options = options or GradeOptions(db_url=self.db_url)
        return grade(submitted, self.root, self.chapters, options, assignments=slugs, echo=self.echo)

    def feedback(self) -> None:
        """Regenerate feedback (after manual grading) and hand it back through the exchange."""
        for c in self.chapters:
            self.nbgrader("generate_feedback", c.slug, "--force")
            self.nbgrader("release_feedback", c.slug)

    def export(self, csv_path: Path | None = None, plot_path: Path | None = None) -> tuple[Path, Path]:
        """One CSV row per student (a column per chapter and the total) and a PNG of each chapter's scores."""
        csv_path = csv_path or self.root / "grades-term.csv"
        plot_path = plot_path or self.root / "grades-term.png"
        if self.dry_run:
            self.echo(f"# write {csv_path} and {plot_path} from the gradebook")
            return csv_path, plot_path
        table, maxima = term_scores(self.root, [c.slug for c in self.chapters], self.db_url)
        write_term_csv(table, maxima, csv_path)
        plot_distribution(table, maxima, plot_path)
        self.echo(f"wrote {csv_path} ({len(table)} students) and {plot_path}")
        return csv_path, plot_path


def term_scores(root: Path, chapters: list[str], db_url: str | None = None):
    """``{student: {chapter: score after late penalty}}`` for every student in the gradebook, and each maximum."""
    from nbgrader.api import Gradebook, MissingEntry

    table: dict[str, dict[str, float]] = {}
    maxima: dict[str, float] = {}
    with Gradebook(gradebook_url(root, db_url), course_id=course_id(root)) as gb:
        for chapter in chapters:
            try:
                maxima[chapter] = gb.find_assignment(chapter).max_score
            except MissingEntry:
                maxima[chapter] = 0.0
        for student in gb.students:
            row = table.setdefault(student.id, {})
            for chapter in chapters:
                try:
                    s = gb.find_submission(chapter, student.id)
                    row[chapter] = max(0.0, s.score - (s.late_submission_penalty or 0.0))
                except MissingEntry:
                    row[chapter] = 0.0
    return table, maxima


def write_term_csv(table: dict[str, dict[str, float]], maxima: dict[str, float], path: Path) -> Path:
    chapters = list(maxima)
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["student_id", *chapters, "total"])
        writer.writerow(["(max)", *(f"{maxima[c]:g}" for c in chapters), f"{sum(maxima.values()):g}"])
        for student in sorted(table):
            scores = [table[student].get(c, 0.0) for c in chapters]
            writer.writerow([student, *(f"{s:g}" for s in scores), f"{sum(scores):g}"])
    return path


def plot_distribution(table: dict[str, dict[str, float]], maxima: dict[str, float], path: Path) -> Path:
    """Box plots of each chapter's scores in percent, with every student's score as a dot."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt
    import numpy as np

    chapters = list(maxima)
    percent = [[100 * table[s].get(c, 0.0) / maxima[c] if maxima[c] else 0.0 for s in table] for c in chapters]
    fig, ax = plt.subplots(figsize=(max(5, 1.2 * len(chapters)), 4))
    ax.boxplot(percent, showfliers=False)
    ax.set_xticks(range(1, len(chapters) + 1), [c[:2] for c in chapters])
    rng = np.random.default_rng(0)
    for i, values in enumerate(percent, start=1):
        ax.scatter(i + rng.uniform(-0.15, 0.15, len(values)), values, s=10, alpha=0.6)
    ax.set_ylim(-5, 105)
    ax.set_xlabel("chapter")
    ax.set_ylabel("score (%)")
    ax.set_title(f"Scores per chapter ({len(table)} students)")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path

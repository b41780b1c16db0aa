"""The instructor's ``course`` subcommands: release, grade, term, publish.

:func:`add_commands` adds them to the ``course`` command (:mod:`course.cli`). Each parses its arguments, calls one
function of this package and prints what it returns; exit status 2 for a usage problem, 1 for a failure, 130 or
143 when a run was stopped by SIGINT or SIGTERM.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import course.grading as grading
from course import chapters as course_chapters


def _chapters(args) -> list[course_chapters.Chapter]:
    return course_chapters.select(course_chapters.chapters(course_chapters.find_root()), args.chapters)


def cmd_release(args) -> int:
    selected = _chapters(args)
    if args.check:
        problems = grading.release_differences(selected)
        if problems:
            print("release/ is out of sync with source/:\n  " + "\n  ".join(problems))
            print("Regenerate it with `course release` and commit the result.")
            return 1
        print(f"release/ is in sync with source/ ({len(selected)} chapter(s)).")
        return 0
    for path in grading.release(selected):
        print(f"wrote {path.relative_to(course_chapters.find_root())}")
    return 0


def cmd_grade(args) -> int:
    from course.grading import forked, sandbox

    forked.skip_unwanted()

    root = Path(args.course_dir).resolve() if args.course_dir else course_chapters.find_root()
    submissions = Path(args.submissions).resolve()
    if not submissions.is_dir():
        print(f"{submissions} is not a folder of STUDENT/ASSIGNMENT/*.ipynb submissions", file=sys.stderr)
        return 2
    if not args.unsafe:
        try:
            sandbox.check_available()
        except sandbox.SandboxUnavailable as exc:
            print(f"course grade: refusing to run student code unsandboxed: {exc}.\n"
                  "Install bubblewrap, or pass --unsafe to grade with your own rights (trusted submissions only).",
                  file=sys.stderr)
            return 2
    else:
        print("WARNING: --unsafe: student code runs with your rights, network and files.", file=sys.stderr)
    try:
        index, count = (int(part) for part in args.shard.split("/"))
    except ValueError:
        print(f"--shard takes i/n, e.g. 1/2 (got {args.shard!r})", file=sys.stderr)
        return 2
    options = grading.GradeOptions(db_url=args.db, jobs=args.jobs, sandbox=not args.unsafe,
                                   cell_timeout=args.cell_timeout, notebook_timeout=args.notebook_timeout,
                                   feedback=not args.no_feedback, shard=(index, count), regrade=args.regrade)
    csv_path = Path(args.csv).resolve() if args.csv else root / "grades.csv"
    try:
        rows = grading.grade(submissions, root, course_chapters.chapters(root), options, csv_path=csv_path)
    except grading.GradingStopped as stop:
        print(grading.format_scores(stop.rows))
        print(f"\ncourse grade: {stop}\nscores so far: {csv_path}", file=sys.stderr)
        return stop.exit_code
    print(grading.format_scores(rows))
    print(f"\nscores: {csv_path}")
    if not args.no_feedback:
        print(f"feedback: {root / 'feedback'} (an HTML page and a grading-report.txt per submission)")
    return 0


def cmd_term(args) -> int:
    from course.grading import term

    root = course_chapters.find_root()
    steps = ["release", "collect", "grade", "feedback", "export"] if args.step == "all" else [args.step]
    t = term.Term(root, _chapters(args), dry_run=args.dry_run, db_url=args.db)
    for step in steps:
        print(f"== {step}")
        if step == "grade":
            try:
                rows = t.grade(grading.GradeOptions(db_url=args.db, jobs=args.jobs, sandbox=not args.unsafe))
            except grading.GradingStopped as stop:
                print(grading.format_scores(stop.rows))
                print(f"\ncourse term: {stop}", file=sys.stderr)
                return stop.exit_code
            if rows:
                print(grading.format_scores(rows))
        else:
            getattr(t, step)()
    return 0


def cmd_publish(args) -> int:
    from course.grading import publish

    dest = publish.publish(course_chapters.find_root(), Path(args.dest).resolve(), force=args.force)
    print(f"wrote the learner copy to {dest}: release notebooks, the course package, tests, no solutions.")
    return 0


def add_commands(sub: argparse._SubParsersAction) -> None:
    rel = sub.add_parser("release", help="nbgrader generate_assignment for every chapter into release/")
    rel.add_argument("chapters", nargs="*", help="chapter numbers or slugs (default: all)")
    rel.add_argument("--check", action="store_true", help="fail if release/ differs from what it would generate")
    rel.set_defaults(func=cmd_release)

    grade = sub.add_parser("grade", help="autograde STUDENT/ASSIGNMENT submissions, write feedback and a CSV")
    grade.add_argument("submissions", help="folder laid out as STUDENT/ASSIGNMENT/NOTEBOOK.ipynb")
    grade.add_argument("--course-dir", help="nbgrader course directory (default: this repository)")
    grade.add_argument("--db", help="gradebook SQLAlchemy URL (default: sqlite:///COURSE_DIR/gradebook.db)")
    grade.add_argument("--csv", help="where the scores go (default: COURSE_DIR/grades.csv)")
    grade.add_argument("--no-feedback", action="store_true", help="skip nbgrader generate_feedback")
    grade.add_argument("--regrade", action="store_true",
                       help="grade every submission again, even those unchanged since they were graded")
    grade.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                       help="submissions graded at the same time (default: the number of cores); each job needs "
                            "a core and gains close to 1x per core: on 2 cores --jobs 2 graded chapter 01 2.03x "
                            "as fast as serial nbgrader autograde (1.32x beside a CPU-bound process), and an "
                            "Amdahl fit predicts 3.8x on 4 cores, 13x on 16 (README, make bench)")
    grade.add_argument("--shard", default="1/1", help="grade only shard i of n of the students, e.g. 2/3")
    grade.add_argument("--cell-timeout", type=int, default=120, help="seconds a cell may run")
    grade.add_argument("--notebook-timeout", type=int, default=900, help="seconds a whole submission may take")
    grade.add_argument("--unsafe", action="store_true",
                       help="run student code without the sandbox (only where bubblewrap is unavailable)")
    grade.set_defaults(func=cmd_grade)

    term = sub.add_parser("term", help="a term's routine on nbgrader's exchange, printing each nbgrader command")
    term.add_argument("step", choices=["release", "collect", "grade", "feedback", "export", "all"],
                      help="release: due dates + generate + release_assignment; collect: newest submissions; "
                           "grade: sandboxed autograde; feedback: generate + release_feedback; export: term CSV "
                           "and plot")
    term.add_argument("chapters", nargs="*", help="chapter numbers or slugs (default: all)")
    term.add_argument("--dry-run", action="store_true", help="print the commands without running them")
    term.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="parallel grading processes")
    term.add_argument("--unsafe", action="store_true", help="grade without the sandbox")
    term.add_argument("--db", help="gradebook SQLAlchemy URL for every step (default: COURSE_DIR/gradebook.db)")
    term.set_defaults(func=cmd_term)

    pub = sub.add_parser("publish", help="write the learner copy of the course (no solutions, no hidden tests)")
    pub.add_argument("dest", help="an empty folder (e.g. a checkout of the public repository)")
    pub.add_argument("--force", action="store_true", help="replace what DEST holds")
    pub.set_defaults(func=cmd_publish)


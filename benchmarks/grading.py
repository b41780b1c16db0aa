"""Grading throughput: plain serial ``nbgrader autograde`` against ``course grade --jobs N``, side by side.

    python benchmarks/grading.py [--copies K] [--jobs N] [--chapter 01_linear_algebra]

K copies each of a chapter's answered (learner-shaped) and blank release notebook are graded, each time in a fresh
copy of the course: the way nbgrader does it out of the box (one process, one kernel after another, unsandboxed,
no feedback), with ``course grade`` (sandboxed, feedback included, N at a time), with ``course grade --jobs 1``
with and without the run-time integrity checks (their cost per submission is printed), and the first two again
beside a CPU-bound process. Prints a table, then the scaling curve an Amdahl fit of jobs 1 and N predicts.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from autograder import learner  # noqa: E402
from course import grading  # noqa: E402
from course.chapters import Chapter, copy_course  # noqa: E402


def make_class(folder: Path, chapter: Chapter, copies: int) -> int:
    for i in range(copies):
        for kind in ("solved", "blank"):
            nb = learner.solved(chapter.slug) if kind == "solved" else nbformat.read(chapter.release, as_version=4)
            target = folder / f"{kind}{i:03d}" / chapter.slug
            target.mkdir(parents=True)
            nbformat.write(nb, target / chapter.release.name)
    return 2 * copies


def plain_nbgrader(course: Path, chapter: str) -> None:
    grading.run_nbgrader(["generate_assignment", chapter, "--force",
                          f"--CourseDirectory.release_directory={course / 'scratch'}"], course, echo=None)
    grading.run_nbgrader(["autograde", chapter, "--create", "--force"], course, echo=None)


@contextlib.contextmanager
def neighbour(busy: bool):
    """Another CPU-bound process on the machine for the duration (a shared machine, a second course's run)."""
    if not busy:
        yield
        return
    spinner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        yield
    finally:
        spinner.kill()
        spinner.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=4)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--chapter", default="01_linear_algebra")
    parser.add_argument("--no-neighbour", action="store_true", help="skip the runs beside a CPU-bound process")
    args = parser.parse_args()
    runs = [("nbgrader autograde (serial)", None, False),
            (f"course grade --jobs {args.jobs}", {"jobs": args.jobs}, False),
            ("course grade --jobs 1", {"jobs": 1}, False),
            ("  same, no integrity checks", {"jobs": 1, "integrity_checks": False}, False)]
    if not args.no_neighbour:
        runs += [("nbgrader autograde (serial), busy", None, True),
                 (f"course grade --jobs {args.jobs}, busy", {"jobs": args.jobs}, True)]
    results = []
    with tempfile.TemporaryDirectory(prefix="course-bench-") as tmp:
        tmp = Path(tmp)
        os.environ["NBGRADER_EXCHANGE"] = str(tmp / "exchange")
        for i, (label, options, busy) in enumerate(runs):
            course = copy_course(ROOT, tmp / f"run{i}")
            chapter = Chapter(args.chapter, course)
            n = make_class(course / "submitted", chapter, args.copies)
            with neighbour(busy):
                start = time.perf_counter()
                if options is None:
                    plain_nbgrader(course, args.chapter)
                else:
                    rows = grading.grade(course / "submitted", course, [chapter], grading.GradeOptions(**options),
                                         echo=None)
                    assert all(r.status == "graded" and r.feedback == "written" for r in rows), rows
                seconds = time.perf_counter() - start
            results.append((label, n, seconds, busy))
            shutil.rmtree(course)
    print(f"{args.chapter}, {args.copies} answered and {args.copies} blank submissions; {os.cpu_count()} CPUs; "
          f"course grade sandboxed, feedback included; 'busy': beside a CPU-bound process\n")
    print(f"{'method':<38} {'submissions':>11} {'seconds':>8} {'s each':>7} {'speed-up':>8}")
    for label, n, seconds, busy in results:
        base = next(s for lb, _, s, b in results if lb.startswith("nbgrader") and b == busy)
        print(f"{label:<38} {n:>11} {seconds:>8.1f} {seconds / n:>7.1f} {base / seconds:>7.2f}x")
    by_label = {label: (n, seconds) for label, n, seconds, _ in results}
    n, checked = by_label["course grade --jobs 1"]
    _, unchecked = by_label["  same, no integrity checks"]
    cost = (checked - unchecked) / n
    print(f"\nrun-time integrity checks: {cost:+.2f} s per submission, {100 * cost / (checked / n):+.1f}% of "
          f"{args.chapter}'s grading time ({checked / n:.1f} s per submission with them)")
    _, parallel = by_label[f"course grade --jobs {args.jobs}"]
    if args.jobs > 1:
        # Amdahl from the two measured points: T(p) = serial + work / p.
        work = (checked - parallel) / (1 - 1 / args.jobs)
        serial = checked - work
        curve = ", ".join(f"{p} cores {checked / (serial + work / p):.1f}x" for p in (1, 2, 4, 8, 16))
        print(f"scaling (Amdahl fit to jobs 1 and {args.jobs}; {serial:.1f} s of the run is serial): {curve}")


if __name__ == "__main__":
    main()

"""Grading throughput: plain serial ``nbgrader autograde`` against ``course grade --jobs N``, side by side.

    python benchmarks/grading.py [--copies K] [--jobs N] [--chapter 01_linear_algebra]

K copies each of a chapter's answered (learner-shaped) and blank release notebook are graded, each time in a fresh
copy of the course: the way nbgrader does it out of the box (one process, one kernel after another, unsandboxed),
with ``course grade`` (one sandboxed process per submission, N at a time), and with ``course grade --jobs 1`` with
and without the run-time integrity checks, whose cost per submission is the last line. Prints a table.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from autograder import learner  # noqa: E402
from course import grading, notebooks  # noqa: E402


def copy_course(dest: Path) -> Path:
    """An nbgrader course directory: config, source/ and release/ (the package is installed, not copied)."""
    dest.mkdir(parents=True)
    shutil.copy2(ROOT / "nbgrader_config.py", dest / "nbgrader_config.py")
    for folder in ("source", "release"):
        shutil.copytree(ROOT / folder, dest / folder)
    return dest


def make_class(folder: Path, chapter: notebooks.Chapter, copies: int) -> int:
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=5)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--chapter", default="01_linear_algebra")
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory(prefix="course-bench-") as tmp:
        tmp = Path(tmp)
        os.environ["NBGRADER_EXCHANGE"] = str(tmp / "exchange")
        runs = [("nbgrader autograde (serial)", None), (f"course grade --jobs {args.jobs}", {"jobs": args.jobs}),
                ("course grade --jobs 1", {"jobs": 1}),
                ("  same, no integrity checks", {"jobs": 1, "integrity_checks": False})]
        for i, (label, options) in enumerate(runs):
            course = copy_course(tmp / f"run{i}")
            chapter = notebooks.Chapter(args.chapter, course)
            n = make_class(course / "submitted", chapter, args.copies)
            start = time.perf_counter()
            if options is None:
                plain_nbgrader(course, args.chapter)
            else:
                rows = grading.grade(course / "submitted", course, [chapter],
                                     grading.GradeOptions(feedback=False, **options), echo=None)
                assert all(r.status == "graded" for r in rows), [r for r in rows if r.status != "graded"]
            results.append((label, n, time.perf_counter() - start))
            shutil.rmtree(course)
    base = results[0][2]
    print(f"{'method':<32} {'submissions':>11} {'seconds':>8} {'per minute':>10} {'speed-up':>8}")
    for label, n, seconds in results:
        print(f"{label:<32} {n:>11} {seconds:>8.1f} {60 * n / seconds:>10.1f} {base / seconds:>7.2f}x")
    (_, n, checked), (_, _, unchecked) = results[-2:]
    cost = (checked - unchecked) / n
    print(f"\nrun-time integrity checks: {cost:+.2f} s per submission, {100 * cost / (checked / n):+.1f}% of "
          f"{args.chapter}'s grading time ({checked / n:.1f} s per submission with them)")


if __name__ == "__main__":
    main()

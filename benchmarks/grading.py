"""Grading throughput: plain serial ``nbgrader autograde`` against ``course grade --jobs N``, side by side.

    python benchmarks/grading.py [--copies K] [--jobs N] [--chapter 01_linear_algebra]

K copies each of a chapter's solution and blank release notebook are graded twice, in fresh copies of the course:
once the way nbgrader does it out of the box (one process, one kernel after another, unsandboxed), once with
``course grade`` (one sandboxed process per submission, N at a time). Prints a table.
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

from course import grading, notebooks  # noqa: E402
from tests.conftest import copy_course  # noqa: E402


def make_class(folder: Path, chapter: notebooks.Chapter, copies: int) -> int:
    for i in range(copies):
        for kind, path in (("solved", chapter.source), ("blank", chapter.release)):
            target = folder / f"{kind}{i:03d}" / chapter.slug
            target.mkdir(parents=True)
            nbformat.write(nbformat.read(path, as_version=4), target / path.name)
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
        for label in ("nbgrader autograde (serial)", f"course grade --jobs {args.jobs}"):
            course = copy_course(tmp / label.split()[0])
            chapter = notebooks.Chapter(args.chapter, course)
            n = make_class(course / "submitted", chapter, args.copies)
            start = time.perf_counter()
            if label.startswith("nbgrader"):
                plain_nbgrader(course, args.chapter)
            else:
                rows = grading.grade(course / "submitted", course, [chapter],
                                     grading.GradeOptions(jobs=args.jobs, feedback=False), echo=None)
                assert all(r.status == "graded" for r in rows), [r for r in rows if r.status != "graded"]
            results.append((label, n, time.perf_counter() - start))
            shutil.rmtree(course)
    base = results[0][2]
    print(f"{'method':<32} {'submissions':>11} {'seconds':>8} {'per minute':>10} {'speed-up':>8}")
    for label, n, seconds in results:
        print(f"{label:<32} {n:>11} {seconds:>8.1f} {60 * n / seconds:>10.1f} {base / seconds:>7.2f}x")


if __name__ == "__main__":
    main()

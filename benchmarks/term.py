"""Time each step of a term for one chapter and a generated class, on a temporary exchange.

    python benchmarks/term.py [--students 30] [--chapter 01_linear_algebra] [--jobs N]

Half the class hands in the solution, half the blank notebook; prints a table of the steps and their seconds.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from course import grading  # noqa: E402
from course.chapters import Chapter, copy_course  # noqa: E402
from course.grading import term  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=30)
    parser.add_argument("--chapter", default="01_linear_algebra")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    times: list[tuple[str, float]] = []
    with tempfile.TemporaryDirectory(prefix="course-term-") as tmp:
        tmp = Path(tmp)
        exchange = tmp / "exchange"
        os.environ["NBGRADER_EXCHANGE"] = str(exchange)
        root = copy_course(ROOT, tmp / "course")
        chapter = Chapter(args.chapter, root)
        t = term.Term(root, [chapter], echo=lambda _: None)

        def timed(label, fn):
            start = time.perf_counter()
            result = fn()
            times.append((label, time.perf_counter() - start))
            return result

        timed("release (db add, generate, release_assignment)", t.release)
        config = f"c = get_config()\nc.Exchange.root = {str(exchange)!r}\nc.Exchange.path_includes_course = True\n"

        def students_fetch_and_submit():
            for i in range(args.students):
                home = tmp / "home" / f"s{i:03d}"
                home.mkdir(parents=True)
                (home / "nbgrader_config.py").write_text(config)
                env = {"HOME": str(home)}
                grading.run_nbgrader(["fetch_assignment", args.chapter, "--course=dl-course"], home, None, env=env)
                path = home / "dl-course" / args.chapter / f"{args.chapter}.ipynb"
                if i % 2 == 0:
                    nbformat.write(nbformat.read(chapter.source, as_version=4), path)
                grading.run_nbgrader(["submit", args.chapter, "--course=dl-course", f"--student=s{i:03d}"], home,
                                     None, env=env)

        timed(f"{args.students} students fetch + submit", students_fetch_and_submit)
        timed("collect", t.collect)
        rows = timed(f"grade (sandboxed, --jobs {args.jobs})", lambda: t.grade(grading.GradeOptions(jobs=args.jobs)))
        timed("feedback (generate + release)", t.feedback)
        timed("export (CSV + plot)", t.export)
    graded = sum(r.status == "graded" for r in rows)
    print(f"{args.students} students, chapter {args.chapter}: {graded} graded")
    print(f"{'step':<48} {'seconds':>8}")
    for label, seconds in times:
        print(f"{label:<48} {seconds:>8.1f}")


if __name__ == "__main__":
    main()

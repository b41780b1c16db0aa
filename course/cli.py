"""The ``course`` command: run chapters, record results, show a learner's progress, diagnose a setup.

Thin on purpose: each subcommand parses arguments and calls one function, whose results it prints. Exit status is
non-zero whenever something failed. The instructor's commands (release, grade, term, publish) live with the grader
(:mod:`course.grading.cli`) and join this command where that package is installed: a learner's published copy has
no grader, so its ``course`` has none of them.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.metadata
import importlib.util
import platform
import shutil
import subprocess
import sys
from pathlib import Path

from course import chapters as course_chapters
from course import notebooks
from course.device import DEVICES, DeviceError, resolve_device

FIX_SETUP = "make lab   (or: make setup)"


def _chapters(args) -> list[course_chapters.Chapter]:
    return course_chapters.select(course_chapters.chapters(course_chapters.find_root()), args.chapters)


def cmd_run(args) -> int:
    if args.device != "auto":
        resolve_device(args.device)
    selected = _chapters(args)
    root = course_chapters.find_root()
    out = Path(args.output_dir) if args.output_dir else root / "outputs" / ("smoke" if args.smoke else "full")
    mode = "smoke" if args.smoke else "full"
    print(f"Executing {len(selected)} chapter(s) in {mode} mode on device={args.device} with {args.jobs} job(s)"
          f" into {out}", flush=True)
    results = notebooks.run_chapters(selected, out, smoke=args.smoke, device=args.device, jobs=args.jobs,
                                     timeout=args.timeout)
    print(notebooks.format_table(results))
    if args.expect_device:
        wrong = [r for r in results if r.ok and r.device.split(":")[0] != args.expect_device]
        for r in wrong:
            print(f"{r.chapter} ran on {r.device}, expected {args.expect_device}", file=sys.stderr)
        if wrong:
            return 1
    return 0 if all(r.ok for r in results) else 1


def cmd_results(args) -> int:
    import nbformat

    from course import results

    selected = _chapters(args)
    root = course_chapters.find_root()
    table = Path(args.output) if args.output else root / "docs" / "results.md"
    source = Path(args.from_dir) if args.from_dir else root / "outputs" / "full"
    where = results.machine()
    sections, failed = {}, []
    for chapter in selected:
        if not any(results.is_reference(c) for c in nbformat.read(chapter.notebook, as_version=4).cells):
            continue
        if args.from_dir:
            executed = source / f"{chapter.slug}.ipynb"
            nb = nbformat.read(executed, as_version=4)
            seconds = float(nb.metadata.get("papermill", {}).get("duration") or 0.0)
        else:
            print(f"running {chapter.slug} in full mode ...", flush=True)
            run = notebooks.run_chapter(chapter, source, smoke=False, device="cpu", timeout=args.timeout)
            if not run.ok:
                failed.append(f"{chapter.slug}: {run.error}")
                continue
            nb, seconds = nbformat.read(run.output, as_version=4), run.seconds
        sections[chapter.slug] = results.section(chapter.slug, nb, seconds, where, args.note)
        print(f"{chapter.slug}: {seconds:.0f} s", flush=True)
    results.write_sections(table, sections)
    print(f"wrote {len(sections)} chapter section(s) to {table}")
    for problem in failed:
        print(f"failed: {problem}", file=sys.stderr)
    return 1 if failed else 0


def _version(dist: str) -> str | None:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return None


def _kernel_problem() -> str | None:
    try:
        from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
    except ImportError:
        return "jupyter_client is not installed"
    try:
        spec = KernelSpecManager().get_kernel_spec(notebooks.KERNEL)
    except NoSuchKernel:
        return f"no '{notebooks.KERNEL}' kernel is registered"
    exe = spec.argv[0]
    resolved = shutil.which(exe) or exe
    if exe != "python" and Path(resolved).resolve() != Path(sys.executable).resolve():
        return f"the '{notebooks.KERNEL}' kernel runs {exe}, not this environment's {sys.executable}"
    return None


def _jupyter_lists(kind: str) -> str:
    jupyter = Path(sys.executable).with_name("jupyter")
    try:
        proc = subprocess.run([str(jupyter), *kind.split(), "list"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return proc.stdout + proc.stderr


def cmd_status(args) -> int:
    from course import status

    root = course_chapters.find_root()
    selected = _chapters(args)
    if args.validate:
        cache = status.load_cache(root)
        for chapter in selected:
            current = status.read_status(chapter, cache=cache)
            if current.exists and not current.validated and current.answered:
                print(f"validating {chapter.slug} with nbgrader's Validator ...", flush=True)
                record = status.validate(chapter, root)
                print("  passed" if record["passed"] else f"  {record['failed']} test(s) failed, "
                      f"{record['changed'] + record['type_changed']} locked cell(s) changed")
    cache = status.load_cache(root)
    statuses = [status.read_status(chapter, cache=cache) for chapter in selected]
    print(status.status_table(statuses))
    if args.write:
        target = Path(args.write)
        target = target if target.is_absolute() else root / target
        target.write_text(status.landing_page(statuses, root))
        print(f"wrote {target}")
    return 0


def cmd_doctor(args) -> int:
    problems: list[tuple[str, str]] = []
    print(f"python       {platform.python_version()} ({sys.executable})")
    for dist in ("torch", "numpy", "nbgrader", "jupyterlab", "papermill", "ipywidgets", "matplotlib", "scikit-learn"):
        version = _version(dist)
        print(f"{dist:<12} {version or 'MISSING'}")
        if version is None:
            problems.append((f"{dist} is not installed", FIX_SETUP))
    try:
        print(f"device       auto -> {resolve_device('auto')}")
    except DeviceError as exc:
        print(f"device       {exc}")
    kernel = _kernel_problem()
    print(f"kernel       {'registered (' + notebooks.KERNEL + ')' if kernel is None else kernel}")
    if kernel:
        problems.append((kernel, f"{sys.executable} -m ipykernel install --sys-prefix --name {notebooks.KERNEL}"))
    labext = _jupyter_lists("labextension")
    ok = "@jupyter/nbgrader" in labext and "disabled" not in labext.split("@jupyter/nbgrader", 1)[-1].split("\n")[0]
    print(f"nbgrader     JupyterLab extension {'enabled' if ok else 'NOT enabled'}")
    if not ok:
        problems.append(("nbgrader's JupyterLab extension is not enabled",
                         "jupyter labextension enable @jupyter/nbgrader"))
    serverext = _jupyter_lists("server extension")
    for ext in ("formgrader", "validate_assignment", "assignment_list"):
        line = next((ln for ln in serverext.splitlines() if f"nbgrader.server_extensions.{ext}" in ln
                     and "Validating" not in ln and "OK" not in ln), "")
        if "enabled" not in line:
            problems.append((f"nbgrader server extension {ext} is not enabled",
                             f"jupyter server extension enable --sys-prefix nbgrader.server_extensions.{ext}"))
    try:
        print(f"course root  {course_chapters.find_root()}")
    except course_chapters.CourseNotFound as exc:
        problems.append((str(exc), "cd into the course repository"))
    if problems:
        print("\nMissing or broken:")
        for what, fix in problems:
            print(f"  - {what}\n      fix: {fix}")
        return 1
    print("\nEverything needed is in place.")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="course", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="execute chapter notebooks with papermill and print a table")
    run.add_argument("chapters", nargs="*", help="chapter numbers or slugs (default: all)")
    run.add_argument("--smoke", action="store_true", help="tiny data and few steps (seconds per chapter)")
    run.add_argument("--device", default="auto", choices=DEVICES, help="device passed to every notebook")
    run.add_argument("--jobs", type=int, default=1, help="chapters executed at the same time")
    run.add_argument("--timeout", type=int, default=600, help="seconds allowed per cell")
    run.add_argument("--output-dir", help="where executed notebooks go (default: outputs/smoke or outputs/full)")
    run.add_argument("--expect-device", choices=("cpu", "cuda", "mps"),
                     help="fail unless every notebook reports this device (GPU runners)")
    run.set_defaults(func=cmd_run)

    res = sub.add_parser("results", help="run chapters in full mode and rewrite their part of docs/results.md")
    res.add_argument("chapters", nargs="*", help="chapter numbers or slugs (default: all)")
    res.add_argument("--from", dest="from_dir", help="read executed notebooks from this folder instead of running")
    res.add_argument("--output", help="the table to update (default: docs/results.md)")
    res.add_argument("--timeout", type=int, default=3600, help="seconds a single cell may take")
    res.add_argument("--note", default="", help="a remark for each section, e.g. what else ran on the machine")
    res.set_defaults(func=cmd_results)

    stat = sub.add_parser("status", help="your progress per chapter, read from your saved notebooks")
    stat.add_argument("chapters", nargs="*", help="chapter numbers or slugs (default: all)")
    stat.add_argument("--validate", action="store_true",
                      help="run nbgrader's Validator on chapters you changed and record the ones that pass")
    stat.add_argument("--write", metavar="FILE", help="also write the landing page (make lab writes START.md)")
    stat.set_defaults(func=cmd_status)

    doctor = sub.add_parser("doctor", help="print versions and what is missing, with the command that fixes it")
    doctor.set_defaults(func=cmd_doctor)

    if importlib.util.find_spec("course.grading") is not None:
        importlib.import_module("course.grading.cli").add_commands(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (DeviceError, KeyError, course_chapters.CourseNotFound, FileExistsError) as exc:
        print(f"course {args.command}: {exc.args[0] if exc.args else exc}", file=sys.stderr)
        return 2
    except RuntimeError as exc:
        print(f"course {args.command}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())

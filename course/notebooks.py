"""Executing chapters with papermill, the way CI and ``course run`` do.

Executions write into a git-ignored output folder and come back as :class:`RunResult` rows that
:func:`format_table` prints. Several chapters run side by side in separate processes, sharing the cores.
"""

from __future__ import annotations

import contextlib
import os
import re
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from course.chapters import Chapter
from course.config import HEADLESS_ENV
from course.device import share_threads
from course.table import text_table

DEVICE_LINE = re.compile(r"\[course\] device=(\S+)")
KERNEL = "python3"


@dataclass
class RunResult:
    """The outcome of executing one chapter notebook."""

    chapter: str
    ok: bool
    seconds: float
    device: str = "?"
    output: Path | None = None
    error: str = ""

    @property
    def status(self) -> str:
        return "ok" if self.ok else "FAILED"


def _device_from(nb) -> str:
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            match = DEVICE_LINE.search(out.get("text", "") if out.get("output_type") == "stream" else "")
            if match:
                return match.group(1)
    return "?"


def _describe_failure(exc, output: Path) -> str:
    """Name the failing cell the way a learner sees it: its nbgrader id or execution count, and the error."""
    import nbformat

    where = f"cell {exc.cell_index}"
    if exc.exec_count is not None:
        where += f" (In [{exc.exec_count}])"
    try:
        cells = [c for c in nbformat.read(output, as_version=4).cells
                 if "papermill-error-cell-tag" not in c.metadata.get("tags", [])]
        cell = cells[exc.cell_index]
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id:
            where += f" [{grade_id}]"
        first = next((ln for ln in cell.source.splitlines() if ln.strip()), "")
        if first:
            where += f" starting `{first.strip()[:60]}`"
    except Exception:  # noqa: BLE001 - the error itself matters more than the decoration
        pass
    return f"{where}: {exc.ename}: {exc.evalue}".strip()


@contextlib.contextmanager
def _headless():
    """Kernels started inside inherit ``COURSE_HEADLESS``, so widgets draw a static figure no one has to click;
    the caller's environment is left as it was."""
    before = os.environ.get(HEADLESS_ENV)
    os.environ[HEADLESS_ENV] = "1"
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(HEADLESS_ENV, None)
        else:
            os.environ[HEADLESS_ENV] = before


def run_chapter(chapter: Chapter, output_dir: Path, smoke: bool = True, device: str = "auto",
                timeout: int = 600, kernel: str = KERNEL) -> RunResult:
    """Execute one chapter top to bottom with papermill, in its own folder, as a learner would."""
    import nbformat
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    output_dir.mkdir(parents=True, exist_ok=True)
    output = output_dir / f"{chapter.slug}.ipynb"
    start = time.perf_counter()
    try:
        with _headless():
            pm.execute_notebook(
                str(chapter.notebook), str(output), parameters={"SMOKE": smoke, "DEVICE": device},
                kernel_name=kernel, cwd=str(chapter.notebook.parent), progress_bar=False, execution_timeout=timeout,
            )
        result = RunResult(chapter.slug, True, time.perf_counter() - start, output=output)
    except PapermillExecutionError as exc:
        result = RunResult(chapter.slug, False, time.perf_counter() - start, output=output,
                           error=_describe_failure(exc, output))
    except Exception as exc:  # noqa: BLE001 - a kernel that dies or times out must still become a row
        result = RunResult(chapter.slug, False, time.perf_counter() - start, output=output,
                           error=f"{type(exc).__name__}: {exc}")
    if output.exists():
        with contextlib.suppress(Exception):
            result.device = _device_from(nbformat.read(output, as_version=4))
    return result


def run_chapters(selected: list[Chapter], output_dir: Path, smoke: bool = True, device: str = "auto",
                 jobs: int = 1, timeout: int = 600) -> list[RunResult]:
    """Execute chapters, ``jobs`` at a time in separate processes; results keep the chapters' order."""
    if jobs <= 1 or len(selected) <= 1:
        return [run_chapter(c, output_dir, smoke, device, timeout) for c in selected]
    share_threads(jobs)
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        futures = [pool.submit(run_chapter, c, output_dir, smoke, device, timeout) for c in selected]
        return [f.result() for f in futures]


def format_table(results: list[RunResult]) -> str:
    """A plain-text table: chapter, status, seconds, device — then one line per failure saying where it broke."""
    rows = [("chapter", "status", "seconds", "device")]
    rows += [(r.chapter, r.status, f"{r.seconds:.1f}", r.device) for r in results]
    lines = [text_table(rows, right={2})]
    for r in results:
        if not r.ok:
            lines.append(f"\n{r.chapter} failed at {r.error}")
            if r.output:
                lines.append(f"  executed notebook: {r.output}")
    return "\n".join(lines)

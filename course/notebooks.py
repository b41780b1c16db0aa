"""Finding the chapters and executing them with papermill, the way CI and ``course run`` do.

A chapter is an nbgrader assignment: ``source/NN_slug/NN_slug.ipynb``. Executions write into a git-ignored output
folder and come back as :class:`RunResult` rows that :func:`format_table` prints.
"""

from __future__ import annotations

import contextlib
import os
import re
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from course.device import share_threads

CHAPTER_DIR = re.compile(r"^(\d{2})_[a-z0-9_]+$")
DEVICE_LINE = re.compile(r"\[course\] device=(\S+)")
KERNEL = "python3"
HEADLESS_ENV = "COURSE_HEADLESS"


class CourseNotFound(FileNotFoundError):
    """No course root (a folder with ``nbgrader_config.py`` and ``source/``) above the working directory."""


def find_root(start: str | os.PathLike | None = None) -> Path:
    """The course root: ``$COURSE_ROOT``, else the nearest folder above ``start`` holding ``nbgrader_config.py``
    beside ``source/`` (the instructor's repository) or ``release/`` (the learner's copy)."""
    if os.environ.get("COURSE_ROOT"):
        return Path(os.environ["COURSE_ROOT"]).resolve()
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        has_notebooks = (folder / "source").is_dir() or (folder / "release").is_dir()
        if (folder / "nbgrader_config.py").is_file() and has_notebooks:
            return folder
    raise CourseNotFound(f"no course found at or above {here}: run this inside the course repository")


@dataclass(frozen=True)
class Chapter:
    """One chapter: its nbgrader assignment name (``01_linear_algebra``) and where its notebooks live."""

    slug: str
    root: Path

    @property
    def number(self) -> str:
        return self.slug[:2]

    @property
    def source(self) -> Path:
        return self.root / "source" / self.slug / f"{self.slug}.ipynb"

    @property
    def release(self) -> Path:
        return self.root / "release" / self.slug / f"{self.slug}.ipynb"

    @property
    def notebook(self) -> Path:
        """What ``course run`` executes: the instructor's source, or in a learner's copy their own notebook."""
        return self.source if self.source.exists() else self.release


def chapters(root: str | os.PathLike | None = None) -> list[Chapter]:
    """Every chapter under ``source/`` (or ``release/`` in a learner's copy), in course order."""
    root = Path(root) if root is not None else find_root()
    base = root / "source" if (root / "source").is_dir() else root / "release"
    found = sorted(p.name for p in base.iterdir() if p.is_dir() and CHAPTER_DIR.match(p.name))
    return [Chapter(slug, root) for slug in found]


def select(all_chapters: list[Chapter], names: list[str] | None) -> list[Chapter]:
    """Pick chapters by number (``1``, ``01``), slug or slug prefix; no names means all of them."""
    if not names:
        return list(all_chapters)
    picked: list[Chapter] = []
    for name in names:
        name = name.strip().rstrip("/").split("/")[-1].removesuffix(".ipynb")
        if name.isdigit():
            matches = [c for c in all_chapters if int(name) == int(c.number)]
        else:
            matches = [c for c in all_chapters if c.slug.startswith(name)]
        if not matches:
            known = ", ".join(c.slug for c in all_chapters)
            raise KeyError(f"no chapter matches {name!r}; chapters are: {known}")
        picked += [c for c in matches if c not in picked]
    return picked


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


def run_chapter(chapter: Chapter, output_dir: Path, smoke: bool = True, device: str = "auto",
                timeout: int = 600, kernel: str = KERNEL) -> RunResult:
    """Execute one chapter top to bottom with papermill, in its own folder, as a learner would."""
    import nbformat
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    output_dir.mkdir(parents=True, exist_ok=True)
    output = output_dir / f"{chapter.slug}.ipynb"
    os.environ[HEADLESS_ENV] = "1"  # kernels inherit it: widgets draw a static figure no one has to click
    start = time.perf_counter()
    try:
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


def text_table(rows: list[tuple[str, ...]], right: set[int] = frozenset()) -> str:
    """A plain-text table: the first row is the header, a rule under it; columns in ``right`` align right."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(row, widths)))
             for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


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

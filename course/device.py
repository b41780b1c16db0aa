"""Choosing a compute device, a thread count that fits the CPUs, and seeding every random number generator.

Chapters take ``DEVICE = "auto"`` as a papermill parameter; :func:`setup` resolves it once, picks the number of
torch and BLAS threads, seeds everything and prints a single ``[course]`` line that CI reads back to prove which
device (and how many threads) a notebook really used.
"""

from __future__ import annotations

import importlib.util
import math
import os
import random
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np

DEVICES = ("auto", "cpu", "cuda", "mps")
SMOKE_ENV = "COURSE_SMOKE"
JOBS_ENV = "COURSE_JOBS"
THREAD_ENV = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")
# The course's models are small: past a handful of threads, each step spends more time synchronising than computing.
MAX_THREADS = 8


class DeviceError(RuntimeError):
    """The requested device cannot be used on this machine."""


def _torch():
    if importlib.util.find_spec("torch") is None:
        return None
    import torch

    return torch


def available_devices() -> list[str]:
    """Devices this machine can run torch on, best first (``cpu`` is always last)."""
    torch = _torch()
    found = []
    if torch is not None:
        if torch.cuda.is_available():
            found.append("cuda")
        mps = getattr(torch.backends, "mps", None)
        if mps is not None and mps.is_available():
            found.append("mps")
    return [*found, "cpu"]


def resolve_device(requested: str | None = "auto") -> str:
    """Turn ``"auto"`` into the best available device; refuse a named device that is missing.

    A silent fallback from ``cuda`` to ``cpu`` would make a GPU runner green while testing nothing, so asking for
    a device this machine lacks is an error, not a warning. ``cuda:1`` style indices are kept as given.
    """
    requested = (requested or "auto").strip().lower()
    kind = requested.split(":", 1)[0]
    if kind not in DEVICES:
        raise DeviceError(f"unknown device {requested!r}: use one of {', '.join(DEVICES)}")
    available = available_devices()
    if kind == "auto":
        return available[0]
    if kind not in available:
        torch = _torch()
        why = "torch is not installed" if torch is None else f"torch {torch.__version__} cannot see a {kind} device"
        raise DeviceError(
            f"DEVICE={requested!r} was requested but {why}; available here: {', '.join(available)}. "
            f"Use DEVICE='auto' or 'cpu', or run on a machine with {kind}."
        )
    return requested


def seed_everything(seed: int = 0, deterministic: bool = True) -> np.random.Generator:
    """Seed Python, NumPy and torch (when the notebook imported it); return a fresh ``np.random.Generator``.

    torch is seeded only if already imported, so numpy-only chapters do not pay its 2 s import.
    Deterministic torch algorithms make a chapter's numbers reproduce run after run; ``warn_only`` keeps the few
    GPU kernels without a deterministic version usable instead of crashing a learner's notebook.
    """
    random.seed(seed)
    np.random.seed(seed)
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.manual_seed(seed)
        if deterministic:
            os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
            torch.use_deterministic_algorithms(True, warn_only=True)
    return np.random.default_rng(seed)


def affinity_cpus() -> int:
    """CPUs the scheduler lets this process run on (``taskset``, a container's cpuset), not the host's count."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


def _read(path: Path) -> str | None:
    try:
        return path.read_text().strip()
    except OSError:
        return None


def cgroup_cpu_limit(root: str | os.PathLike = "/sys/fs/cgroup",
                     proc_cgroup: str | os.PathLike = "/proc/self/cgroup") -> float | None:
    """The CPU quota of this process's cgroup in CPUs (``2.5`` for 250 ms per 100 ms), or None when unlimited.

    A JupyterHub spawner or ``docker --cpus`` limits a kernel by quota, not by affinity: the kernel still sees every
    host core and, left alone, starts a thread per core that the quota then throttles. Both cgroup v2 (``cpu.max``)
    and v1 (``cpu.cfs_quota_us`` / ``cpu.cfs_period_us``) are read, for the process's group and every parent; the
    tightest limit wins.
    """
    root = Path(root)
    text = _read(Path(proc_cgroup)) or "0::/"
    limits: list[float] = []
    for line in text.splitlines():
        parts = line.split(":", 2)
        if len(parts) != 3:
            continue
        _, controllers, rel = parts
        groups = [Path(rel.lstrip("/")), *Path(rel.lstrip("/")).parents]
        if controllers == "":
            pairs = [(_read(root / g / "cpu.max") or "max").split() + [""] for g in groups]
        elif "cpu" in controllers.split(","):
            pairs = [(_read(root / m / g / "cpu.cfs_quota_us"), _read(root / m / g / "cpu.cfs_period_us"))
                     for m in (controllers, "cpu", "cpu,cpuacct") for g in groups]
        else:
            continue
        for quota, period, *_ in pairs:
            if quota and period and quota.lstrip("-").isdigit() and period.isdigit() and int(quota) > 0 < int(period):
                limits.append(int(quota) / int(period))
    return min(limits) if limits else None


def _cpu_jiffies(cpus: set[int], stat: str | os.PathLike = "/proc/stat") -> tuple[float, float] | None:
    """(busy, total) jiffies summed over ``cpus`` from ``/proc/stat``; None where there is no such file."""
    text = _read(Path(stat))
    if text is None:
        return None
    busy = total = 0.0
    for line in text.splitlines():
        name, *fields = line.split()
        if not (name.startswith("cpu") and name[3:].isdigit() and int(name[3:]) in cpus):
            continue
        values = [float(v) for v in fields[:8]]
        total += sum(values)
        busy += sum(values) - values[3] - values[4]
    return (busy, total) if total else None


def other_busy_cpus(window: float = 0.15) -> float | None:
    """How many of this process's CPUs other processes kept busy during the last ``window`` seconds (Linux).

    Measured, not guessed from the load average: that lags a minute behind and counts every host core, while what
    matters is whether the cores this kernel may run on are free right now.
    """
    import time

    cpus = set(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else set(range(os.cpu_count() or 1))
    start, own_start, t0 = _cpu_jiffies(cpus), os.times(), time.perf_counter()
    if start is None:
        return None
    time.sleep(window)
    end, own_end, elapsed = _cpu_jiffies(cpus), os.times(), time.perf_counter() - t0
    if end is None or end[1] <= start[1]:
        return None
    busy = (end[0] - start[0]) / (end[1] - start[1]) * len(cpus)
    own = (own_end.user + own_end.system - own_start.user - own_start.system) / elapsed
    return max(0.0, busy - own)


@dataclass(frozen=True)
class ThreadChoice:
    """How many torch/BLAS threads a kernel should use, and the evidence, for the ``[course]`` line."""

    threads: int
    reason: str


def choose_threads(env: dict[str, str] | None = None, affinity: int | None = None, quota: float | None = None,
                   root: str | os.PathLike = "/sys/fs/cgroup",
                   proc_cgroup: str | os.PathLike = "/proc/self/cgroup") -> ThreadChoice:
    """Threads for this kernel: the CPUs it may really use, shared with the other kernels of the same run.

    An explicit ``OMP_NUM_THREADS`` wins. Otherwise: the CPUs allowed by affinity and by the cgroup quota; divided
    among ``COURSE_JOBS`` concurrent kernels (set by ``course run --jobs`` and by grading), or else less one CPU
    left for the notebook server, the browser and whatever else runs; at most :data:`MAX_THREADS`. Torch's default,
    a thread per core, is what made training 10-20x slower on a shared 2-core machine: every parallel step waits for
    its slowest thread, and a thread that shares its core with a busy process is slow. The choice depends only on
    the machine's configuration, never on its momentary load, because results that depend on the thread count
    (the order of floating-point sums) must reproduce from run to run.
    """
    env = os.environ if env is None else env
    explicit = env.get("OMP_NUM_THREADS", "").strip()
    if explicit.isdigit() and int(explicit) > 0:
        jobs_note = f", {env[JOBS_ENV]} jobs" if env.get(JOBS_ENV) else ""
        return ThreadChoice(int(explicit), f"OMP_NUM_THREADS={explicit}{jobs_note}")
    affinity = affinity_cpus() if affinity is None else affinity
    if quota is None:
        quota = cgroup_cpu_limit(root, proc_cgroup)
    usable = min(affinity, max(1, math.ceil(quota - 1e-9))) if quota else affinity
    parts = [f"{affinity} CPUs by affinity"]
    if quota:
        parts.append(f"cgroup quota {quota:g}")
    jobs = env.get(JOBS_ENV, "").strip()
    if jobs.isdigit() and int(jobs) > 1:
        threads = max(1, usable // int(jobs))
        parts.append(f"{jobs} jobs")
    elif usable > 1:
        threads = usable - 1
        parts.append("1 left for other work")
    else:
        threads = 1
    if threads > MAX_THREADS:
        threads = MAX_THREADS
        parts.append(f"at most {MAX_THREADS}")
    return ThreadChoice(threads, ", ".join(parts))

def apply_threads(threads: int) -> None:
    """Set torch's intra-op threads (if the notebook imported torch) and every BLAS/OpenMP pool NumPy loaded.

    The environment variables are set too, for torch imported later and for processes this kernel starts.
    """
    for var in THREAD_ENV:
        os.environ[var] = str(threads)
    torch = sys.modules.get("torch")
    if torch is not None and torch.get_num_threads() != threads:
        torch.set_num_threads(threads)
    if importlib.util.find_spec("threadpoolctl") is not None:
        from threadpoolctl import threadpool_limits

        threadpool_limits(limits=threads)


def share_threads(jobs: int) -> None:
    """Give each of ``jobs`` concurrent kernels its share of the usable CPUs (kernels inherit the environment).

    Left alone, torch and BLAS in every kernel start a thread per core and the kernels fight over them.
    An explicit setting (e.g. ``OMP_NUM_THREADS=1`` from the test suite) wins. ``COURSE_JOBS`` tells each
    kernel's :func:`setup` why; the thread variables carry the share itself, since a sandbox passes only them.
    """
    jobs = max(1, jobs)
    os.environ.setdefault(JOBS_ENV, str(jobs))
    share = str(choose_threads(env={JOBS_ENV: str(jobs)}).threads)
    for var in THREAD_ENV:
        os.environ.setdefault(var, share)


def smoke_default() -> bool:
    """Smoke mode is on when CI asks for it (``COURSE_SMOKE``) or while nbgrader executes a notebook."""
    flag = os.environ.get(SMOKE_ENV, "").strip().lower()
    if flag:
        return flag not in ("0", "false", "no", "off")
    return bool(os.environ.get("NBGRADER_EXECUTION"))


class Setup(NamedTuple):
    """What a chapter's setup cell unpacks: ``DEVICE, SMOKE, rng = course.setup(DEVICE, SEED, SMOKE)``."""

    device: str
    smoke: bool
    rng: np.random.Generator


def setup(device: str = "auto", seed: int = 0, smoke: bool | None = None) -> Setup:
    """One call at the top of every chapter: resolve the device and smoke mode, pick threads, seed, announce it.

    ``smoke=None`` defers to :func:`smoke_default`. The printed ``[course]`` line is what ``course run`` reads back
    to report (and on a GPU runner, to assert) the device a notebook actually used; it also says how many CPU
    threads were chosen and why (see :func:`choose_threads`), and whether other processes keep this machine's CPUs
    busy, which slows every timing the text quotes (:func:`other_busy_cpus`). In smoke mode a second line warns
    that the numbers printed below come from tiny data and few steps, so the executed notebook cannot be mistaken
    for the results the text quotes.
    """
    resolved = resolve_device(device)
    smoke = smoke_default() if smoke is None else bool(smoke)
    choice = choose_threads()
    apply_threads(choice.threads)
    rng = seed_everything(seed)
    busy = other_busy_cpus() if resolved == "cpu" else None
    elsewhere = f"; {busy:.1f} CPUs busy with other work, so timings will be slower" if busy and busy >= 0.5 else ""
    print(f"[course] device={resolved} seed={seed} smoke={smoke} threads={choice.threads} ({choice.reason}{elsewhere})")
    if smoke:
        print("[course] smoke mode: tiny data and few steps; the numbers printed below are not the results the "
              "text quotes (those are full-mode runs, listed in docs/results.md)")
    return Setup(resolved, smoke, rng)

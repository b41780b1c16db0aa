"""Choosing a compute device and seeding every random number generator.

Chapters take ``DEVICE = "auto"`` as a papermill parameter; :func:`setup` resolves it once, seeds everything and
prints a single ``[course]`` line that CI reads back to prove which device a notebook really used.
"""

from __future__ import annotations

import importlib.util
import os
import random
import sys
from typing import NamedTuple

import numpy as np

DEVICES = ("auto", "cpu", "cuda", "mps")
SMOKE_ENV = "COURSE_SMOKE"


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


def share_threads(jobs: int) -> None:
    """Give each of ``jobs`` concurrent kernels its share of the cores (kernels inherit the environment).

    Left alone, torch and BLAS in every kernel start a thread per core and the kernels fight over them.
    An explicit setting (e.g. ``OMP_NUM_THREADS=1`` from the test suite) wins.
    """
    share = str(max(1, (os.cpu_count() or 1) // max(1, jobs)))
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
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
    """One call at the top of every chapter: resolve the device and smoke mode, seed everything, announce it.

    ``smoke=None`` defers to :func:`smoke_default`. The printed ``[course]`` line is what ``course run`` reads back
    to report (and on a GPU runner, to assert) the device a notebook actually used.
    """
    resolved = resolve_device(device)
    smoke = smoke_default() if smoke is None else bool(smoke)
    rng = seed_everything(seed)
    print(f"[course] device={resolved} seed={seed} smoke={smoke}")
    return Setup(resolved, smoke, rng)

"""Helpers for the deep-learning course's notebooks: data, devices, checks, plots, training loops and widgets.

Learners never implement anything here: the package provides scaffolding, offline data, learner-friendly checks
and plots so that each chapter notebook can focus on the idea it teaches. Heavy libraries (torch, matplotlib,
nbgrader) are imported lazily inside the functions that need them, so ``import course`` is instant. The
instructor's grader is a separate room, :mod:`course.grading`, which nothing here imports (ARCHITECTURE.md).
"""

from course.check import (
    against_torch,
    assert_close,
    assert_shape,
    grad_error,
    gradcheck,
    gradcheck_layer,
    numeric_gradient,
    rel_error,
)
from course.device import resolve_device, seed_everything, setup

__all__ = [
    "against_torch",
    "assert_close",
    "assert_shape",
    "grad_error",
    "gradcheck",
    "gradcheck_layer",
    "numeric_gradient",
    "rel_error",
    "resolve_device",
    "seed_everything",
    "setup",
]

__version__ = "0.1.0"

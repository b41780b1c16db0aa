"""Matplotlib helpers shared by the chapters: one call per recurring figure, each drawing onto an optional axis.

Every function returns the axis it drew on so a notebook can add titles or annotations; none calls ``plt.show``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np


def _axes(ax: Any = None, figsize: tuple[float, float] = (5, 4)):
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def loss_curve(losses: dict[str, Sequence[float]] | Sequence[float], ax: Any = None, logy: bool = False,
               xlabel: str = "step", ylabel: str = "loss"):
    """One or several curves (a dict maps label to values), optionally on a log scale."""
    ax = _axes(ax)
    curves = losses if isinstance(losses, dict) else {None: losses}
    for label, values in curves.items():
        ax.plot(np.asarray(values, dtype=float), label=label)
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if any(label is not None for label in curves):
        ax.legend()
    return ax


def decision_boundary(predict: Callable[[np.ndarray], np.ndarray], X: np.ndarray, y: np.ndarray, ax: Any = None,
                      resolution: int = 200, margin: float = 0.5):
    """Colour the plane by ``predict`` (class labels for ``(M, 2)`` points) and scatter the data on top."""
    ax = _axes(ax)
    lo, hi = X.min(axis=0) - margin, X.max(axis=0) + margin
    gx, gy = np.meshgrid(np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution))
    labels = np.asarray(predict(np.c_[gx.ravel(), gy.ravel()])).reshape(gx.shape)
    ax.contourf(gx, gy, labels, alpha=0.3, cmap="coolwarm", levels=np.arange(labels.max() + 2) - 0.5)
    ax.scatter(X[:, 0], X[:, 1], c=y, cmap="coolwarm", s=12, edgecolors="k", linewidths=0.3)
    ax.set_aspect("equal")
    return ax


def image_grid(images: np.ndarray, labels: Sequence[Any] | None = None, ncols: int = 8, cmap: str = "gray_r",
               size: float = 1.2):
    """A grid of ``(N, H, W)`` images (or ``(N, H*W)`` square ones) with optional titles; returns the figure."""
    import matplotlib.pyplot as plt

    images = np.asarray(images)
    if images.ndim == 2:
        side = int(round(np.sqrt(images.shape[1])))
        images = images.reshape(-1, side, side)
    n = len(images)
    nrows = max(1, int(np.ceil(n / ncols)))
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, size * nrows), squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i < n:
            ax.imshow(images[i], cmap=cmap)
            if labels is not None:
                ax.set_title(str(labels[i]), fontsize=8)
    fig.tight_layout()
    return fig


def heatmap(matrix: np.ndarray, ax: Any = None, xlabels: Sequence[str] | None = None,
            ylabels: Sequence[str] | None = None, cmap: str = "viridis", colorbar: bool = True):
    """A labelled matrix image (attention weights, confusion matrices, co-occurrence counts)."""
    ax = _axes(ax)
    im = ax.imshow(np.asarray(matrix), cmap=cmap, aspect="auto")
    if xlabels is not None:
        ax.set_xticks(range(len(xlabels)), xlabels, rotation=90)
    if ylabels is not None:
        ax.set_yticks(range(len(ylabels)), ylabels)
    if colorbar:
        ax.figure.colorbar(im, ax=ax)
    return ax


def linear_map(A: np.ndarray, ax: Any = None, points: int = 200):
    """The unit circle and its image under a 2x2 matrix, with singular axes and (real) eigenvectors drawn.

    The image of the circle is an ellipse whose semi-axes are ``sigma_i * u_i``; eigenvectors are the directions
    the map only stretches, drawn when they are real.
    """
    ax = _axes(ax)
    A = np.asarray(A, dtype=float)
    t = np.linspace(0, 2 * np.pi, points)
    circle = np.stack([np.cos(t), np.sin(t)])
    image = A @ circle
    ax.plot(*circle, color="0.7", lw=1, label="unit circle")
    ax.plot(*image, color="C0", lw=2, label="A · circle")
    U, S, _ = np.linalg.svd(A)
    for i in range(2):
        ax.annotate("", xy=S[i] * U[:, i], xytext=(0, 0), arrowprops=dict(color="C1", width=1.5, headwidth=6))
    ax.plot([], [], color="C1", label="σ·u (singular axes)")
    eigvals, eigvecs = np.linalg.eig(A)
    if np.all(np.isreal(eigvals)):
        for lam, v in zip(eigvals.real, eigvecs.real.T):
            ax.plot(*np.stack([-v, v]).T * max(1.0, abs(lam)), color="C2", ls="--", lw=1)
        ax.plot([], [], color="C2", ls="--", label="eigenvector lines")
    reach = max(1.5, float(np.abs(image).max()) * 1.1)
    ax.set_xlim(-reach, reach)
    ax.set_ylim(-reach, reach)
    ax.set_aspect("equal")
    ax.axhline(0, color="0.85", lw=0.5)
    ax.axvline(0, color="0.85", lw=0.5)
    ax.legend(loc="upper right", fontsize=8)
    return ax


def contour_path(loss: Callable[[np.ndarray], float], path: np.ndarray, ax: Any = None,
                 center: np.ndarray | None = None, span: float | None = None, levels: int = 30):
    """Contours of a 2-parameter loss with an optimiser's path ``(T, 2)`` drawn over them."""
    ax = _axes(ax)
    path = np.asarray(path, dtype=float)
    finite = path[np.all(np.isfinite(path), axis=1)]
    c = np.asarray(center if center is not None else finite[-1], dtype=float)
    r = span if span is not None else 1.2 * float(np.max(np.abs(finite - c))) + 1e-3
    gx, gy = np.meshgrid(np.linspace(c[0] - r, c[0] + r, 120), np.linspace(c[1] - r, c[1] + r, 120))
    z = np.array([loss(np.array(p)) for p in np.c_[gx.ravel(), gy.ravel()]]).reshape(gx.shape)
    ax.contour(gx, gy, np.log1p(z - z.min()), levels=levels, cmap="viridis", linewidths=0.8)
    ax.plot(finite[:, 0], finite[:, 1], "o-", color="C3", ms=3, lw=1)
    ax.plot(*c, "*", color="k", ms=10)
    ax.set_xlim(c[0] - r, c[0] + r)
    ax.set_ylim(c[1] - r, c[1] + r)
    ax.set_aspect("equal")
    return ax

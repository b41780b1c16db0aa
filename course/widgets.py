"""Interactive demos: ipywidgets controls that redraw a matplotlib figure.

:func:`interactive_plot` is the one mechanism; each chapter demo is a few lines on top of it that pick the controls
and the drawing. Demos accept the learner's own functions where that makes the demo theirs (e.g. their ``low_rank``).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import numpy as np

from course import plot
from course.config import HEADLESS_ENV


def headless() -> bool:
    """True when no one will ever see a widget: papermill runs by ``course run`` and nbgrader's executions.

    Widgets then degrade to a static figure of their initial state, so executed notebooks still show the plot.
    """
    return bool(os.environ.get(HEADLESS_ENV) or os.environ.get("NBGRADER_EXECUTION"))


def _figure(ncols: int, figsize: tuple[float, float]):
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, ncols, figsize=figsize, squeeze=False)
    return fig, axes[0]


def _render(fig) -> None:
    """Show a finished figure in the current output (any backend), then free it."""
    import matplotlib.pyplot as plt
    from IPython.display import display

    fig.tight_layout()
    display(fig)
    plt.close(fig)


def interactive_plot(draw: Callable[..., None], ncols: int = 1, figsize: tuple[float, float] = (6, 4),
                     **controls: Any):
    """Lay out ``controls`` above a figure of ``ncols`` axes and call ``draw(*axes, **values)`` on every change.

    Headless (see :func:`headless`), the initial state is also drawn as a plain figure, which an executed notebook
    keeps; the widget is still returned, so code that drives it works everywhere.
    """
    import ipywidgets as w

    if headless():
        fig, axes = _figure(ncols, figsize)
        draw(*axes, **{k: c.value for k, c in controls.items()})
        _render(fig)
    out = w.Output()

    def update(**values: Any) -> None:
        with out:
            out.clear_output(wait=True)
            fig, axes = _figure(ncols, figsize)
            draw(*axes, **values)
            _render(fig)

    w.interactive_output(update, controls)
    box = w.HBox(list(controls.values()), layout=w.Layout(flex_flow="row wrap"))
    return w.VBox([box, out])


def stepper(init: Callable[..., Any], step: Callable[..., Any], draw: Callable[..., None], ncols: int = 1,
            figsize: tuple[float, float] = (6, 4), label: str = "Step", **controls: Any):
    """A Step button (and Reset) that advances a state and redraws it: training loops, graph walks, GAN updates.

    ``init(**values) -> state`` starts over (also whenever a control changes); ``step(state, **values) -> state``
    advances one click; ``draw(*axes, state=state, **values)`` shows it. The returned box exposes ``.state()`` and
    ``.click()`` so a notebook can drive it without a browser. Headless, the state after one step is also shown
    as a plain figure.
    """
    import ipywidgets as w

    holder: dict[str, Any] = {}

    def values() -> dict[str, Any]:
        return {k: c.value for k, c in controls.items()}

    if headless():
        fig, axes = _figure(ncols, figsize)
        draw(*axes, state=step(init(**values()), **values()), **values())
        _render(fig)
    out = w.Output()

    def redraw() -> None:
        with out:
            out.clear_output(wait=True)
            fig, axes = _figure(ncols, figsize)
            draw(*axes, state=holder["state"], **values())
            _render(fig)

    def reset(*_: Any) -> None:
        holder["state"] = init(**values())
        redraw()

    def advance(*_: Any) -> None:
        holder["state"] = step(holder["state"], **values())
        redraw()

    step_button = w.Button(description=label, button_style="primary")
    reset_button = w.Button(description="Reset")
    step_button.on_click(advance)
    reset_button.on_click(reset)
    for control in controls.values():
        control.observe(reset, names="value")
    reset()
    box = w.VBox([w.HBox([*controls.values(), step_button, reset_button], layout=w.Layout(flex_flow="row wrap")),
                  out])
    box.state = lambda: holder["state"]
    box.click = advance
    return box


def replay(draw: Callable[..., None], n_frames: int, ncols: int = 1, figsize: tuple[float, float] = (6, 4),
           interval_ms: int = 60):
    """Step through an episode frame by frame: a frame slider and a play button that animates it.

    ``draw(*axes, frame=t)`` draws frame ``t`` in ``[0, n_frames)``. The play button runs in the browser (it moves
    the slider, which redraws), so an animation costs nothing while no one watches. Headless, frame 0 is drawn.
    """
    import ipywidgets as w

    last = max(0, int(n_frames) - 1)
    slider = w.IntSlider(value=0, min=0, max=last, step=1, description="frame", continuous_update=False)
    play = w.Play(value=0, min=0, max=last, step=1, interval=interval_ms, description="play")
    w.jslink((play, "value"), (slider, "value"))
    box = interactive_plot(draw, ncols=ncols, figsize=figsize, frame=slider)
    controls, out = box.children
    return w.VBox([w.HBox([play, *controls.children], layout=controls.layout), out])


def _slider(value: float, low: float, high: float, step: float, description: str, integer: bool = False):
    import ipywidgets as w

    cls = w.IntSlider if integer else w.FloatSlider
    return cls(value=value, min=low, max=high, step=step, description=description, continuous_update=False)


def linear_map_explorer(A: np.ndarray | None = None):
    """Four sliders set a 2x2 matrix; the plot shows the unit circle mapped to an ellipse with its axes."""
    A = np.array([[1.5, 0.5], [0.3, 1.0]]) if A is None else np.asarray(A, dtype=float)
    names = ("a11", "a12", "a21", "a22")
    controls = {n: _slider(float(v), -2.0, 2.0, 0.1, n) for n, v in zip(names, A.ravel())}

    def draw(ax, a11, a12, a21, a22):
        M = np.array([[a11, a12], [a21, a22]])
        plot.linear_map(M, ax)
        s = np.linalg.svd(M, compute_uv=False)
        ax.set_title(f"det = {np.linalg.det(M):.2f}, σ = ({s[0]:.2f}, {s[1]:.2f})")

    return interactive_plot(draw, figsize=(5, 5), **controls)


def _truncated_svd(A: np.ndarray, k: int) -> np.ndarray:
    U, S, Vt = np.linalg.svd(A, full_matrices=False)
    return (U[:, :k] * S[:k]) @ Vt[:k]


def low_rank_explorer(image: np.ndarray, low_rank: Callable[[np.ndarray, int], np.ndarray] | None = None):
    """A rank slider reconstructs ``image`` from its top singular values, beside the scree plot."""
    image = np.asarray(image, dtype=float)
    approx = low_rank or _truncated_svd
    sigma = np.linalg.svd(image, compute_uv=False)

    def draw(ax_img, ax_orig, ax_scree, k):
        rec = approx(image, k)
        ax_orig.imshow(image, cmap="gray_r")
        ax_orig.set_title("original")
        ax_img.imshow(rec, cmap="gray_r")
        err = np.linalg.norm(image - rec)
        ax_img.set_title(f"rank {k}: ‖A − A_k‖_F = {err:.2f}")
        for a in (ax_img, ax_orig):
            a.axis("off")
        ax_scree.semilogy(np.arange(1, len(sigma) + 1), sigma + 1e-12, "o-", ms=3)
        ax_scree.axvline(k + 0.5, color="C3", ls="--")
        ax_scree.set_xlabel("i")
        ax_scree.set_ylabel("σ_i")
        ax_scree.set_title("scree plot")

    return interactive_plot(draw, ncols=3, figsize=(11, 3.5), k=_slider(2, 1, len(sigma), 1, "rank", True))


def _ridge(X: np.ndarray, y: np.ndarray, lam: float) -> np.ndarray:
    return np.linalg.solve(X.T @ X + lam * np.eye(X.shape[1]), X.T @ y)


def polyfit_explorer(x: np.ndarray, y: np.ndarray, n_train: int,
                     fit: Callable[[np.ndarray, np.ndarray, float], np.ndarray] | None = None):
    """Degree and log10(lambda) sliders fit a ridge polynomial on the first ``n_train`` points and score the rest.

    ``fit(X, y, lam) -> theta`` may be the learner's own ``ridge_fit``; the design matrix has columns x^0..x^d.
    """
    fit = fit or _ridge
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    grid = np.linspace(x.min(), x.max(), 300)

    def draw(ax, degree, log_lambda):
        lam = 0.0 if log_lambda <= -10 else 10.0**log_lambda
        X = np.vander(x, degree + 1, increasing=True)
        theta = fit(X[:n_train], y[:n_train], lam)
        pred = X @ theta
        rmse_tr = np.sqrt(np.mean((pred[:n_train] - y[:n_train]) ** 2))
        rmse_te = np.sqrt(np.mean((pred[n_train:] - y[n_train:]) ** 2))
        ax.scatter(x[:n_train], y[:n_train], s=10, label="train")
        ax.scatter(x[n_train:], y[n_train:], s=10, label="test")
        ax.plot(grid, np.vander(grid, degree + 1, increasing=True) @ theta, color="k", lw=1.5, label="fit")
        ax.set_ylim(y.min() - 1, y.max() + 1)
        ax.set_title(f"degree {degree}, λ={lam:.1e}: RMSE train {rmse_tr:.3f}, test {rmse_te:.3f}")
        ax.legend(loc="upper left")

    return interactive_plot(draw, figsize=(7, 4), degree=_slider(2, 1, 12, 1, "degree", True),
                            log_lambda=_slider(-10.0, -10.0, 1.0, 0.5, "log10 λ"))


def gd_explorer(X: np.ndarray, y: np.ndarray, steps: int = 40):
    """Gradient descent on a two-parameter least-squares loss; the step size is set relative to ``2/λ_max``.

    Below 1 the path converges (zig-zagging as it nears 1), above 1 it diverges: the stability bound made visible.
    """
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    m = len(y)
    H = 2.0 / m * X.T @ X
    lam_max = float(np.linalg.eigvalsh(H).max())
    theta_star = np.linalg.lstsq(X, y, rcond=None)[0]

    def loss(t: np.ndarray) -> float:
        return float(np.mean((X @ t - y) ** 2))

    def draw(ax, fraction, n_steps):
        eta = fraction * 2.0 / lam_max
        path = [np.zeros(2)]
        for _ in range(n_steps):
            t = path[-1]
            path.append(t - eta * 2.0 / m * X.T @ (X @ t - y))
            if not np.all(np.isfinite(path[-1])) or np.abs(path[-1]).max() > 1e6:
                break
        plot.contour_path(loss, np.array(path), ax, center=theta_star,
                          span=1.5 * float(np.linalg.norm(theta_star)) + 1.0)
        verdict = "diverges" if fraction > 1 else ("zig-zags" if fraction > 0.5 else "converges smoothly")
        ax.set_title(f"η = {fraction:.2f} · 2/λ_max: {verdict}; loss {loss(path[-1]):.3g}")
        ax.set_xlabel("θ0")
        ax.set_ylabel("θ1")

    return interactive_plot(draw, figsize=(5.5, 5), fraction=_slider(0.3, 0.05, 1.2, 0.05, "η·λ_max/2"),
                            n_steps=_slider(steps, 1, 200, 1, "steps", True))

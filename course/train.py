"""A small fit/evaluate loop for torch models, with a ``tqdm.auto`` progress bar (a widget in JupyterLab).

Chapters write their first training loops by hand; once that lesson is learnt they call :func:`fit` so the
notebook can focus on the model. The loop is deliberately plain: zero grads, forward, loss, backward, step.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np


def progress(iterable: Iterable, total: int | None = None, desc: str | None = None, disable: bool = False, **kw):
    """``tqdm.auto.tqdm`` with the course's defaults: a widget in JupyterLab, text elsewhere, quiet when disabled."""
    from tqdm.auto import tqdm

    return tqdm(iterable, total=total, desc=desc, disable=disable, leave=kw.pop("leave", True), **kw)


@dataclass
class History:
    """Per-epoch metrics; ``train_loss`` is the mean over the epoch's batches.

    ``step_loss`` holds the loss of every optimiser step, and ``grad_norm`` (only with ``clip``) the global
    gradient norm of every step before clipping, what ``clip_grad_norm_`` returns.
    """

    train_loss: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)
    step_loss: list[float] = field(default_factory=list)
    grad_norm: list[float] = field(default_factory=list)


def loader(X: Any, y: Any, batch_size: int = 64, shuffle: bool = True, seed: int = 0, dtype: Any = None):
    """A ``DataLoader`` over NumPy arrays or tensors, reproducible through its own seeded generator.

    Labels that are integer arrays become ``int64`` (what ``cross_entropy`` wants); features become ``float32``
    unless ``dtype`` says otherwise.
    """
    import torch
    from torch.utils.data import DataLoader, TensorDataset

    X = torch.as_tensor(np.asarray(X) if not torch.is_tensor(X) else X, dtype=dtype or torch.float32)
    y_arr = torch.as_tensor(np.asarray(y) if not torch.is_tensor(y) else y)
    y_arr = y_arr.long() if not torch.is_floating_point(y_arr) else y_arr.to(dtype or torch.float32)
    generator = torch.Generator().manual_seed(seed)
    return DataLoader(TensorDataset(X, y_arr), batch_size=batch_size, shuffle=shuffle, generator=generator)


def _to(batch: Any, device: str) -> Any:
    if isinstance(batch, (list, tuple)):
        return type(batch)(_to(b, device) for b in batch)
    return batch.to(device) if hasattr(batch, "to") else batch


def _forward(model, xb: Any) -> Any:
    """``model(xb)``, or ``model(*xb)`` when the inputs of a batch are a tuple or list (a model of two inputs)."""
    return model(*xb) if isinstance(xb, (list, tuple)) else model(xb)


def evaluate(model, loader: Iterable, loss_fn: Callable, device: str = "cpu") -> tuple[float, float]:
    """Mean loss and accuracy (for class-index targets) over ``loader``, without tracking gradients."""
    import torch

    model.eval()
    total, correct, loss_sum = 0, 0, 0.0
    with torch.no_grad():
        for xb, yb in loader:
            xb, yb = _to(xb, device), _to(yb, device)
            out = _forward(model, xb)
            loss_sum += float(loss_fn(out, yb)) * len(yb)
            if out.ndim == 2 and yb.ndim == 1 and not torch.is_floating_point(yb):
                correct += int((out.argmax(dim=1) == yb).sum())
            total += len(yb)
    return loss_sum / max(total, 1), correct / max(total, 1)


def fit(model, loader: Iterable, loss_fn: Callable, optimizer, epochs: int = 1, device: str = "cpu",
        val_loader: Iterable | None = None, show_progress: bool = True, plot_every: int = 0,
        scheduler=None, clip: float | None = None) -> History:
    """Train ``model`` for ``epochs`` passes over ``loader``; returns the :class:`History`.

    Each batch is ``(inputs, targets)``; inputs that are a tuple are passed as ``model(*inputs)``. One step is:
    zero grads, forward, ``loss_fn(output, targets)``, backward, clip, ``optimizer.step()``, ``scheduler.step()``.

    ``scheduler`` (a ``torch.optim.lr_scheduler``) is stepped after **every optimiser step**, not once per epoch,
    so size it in steps: ``OneCycleLR(opt, max_lr, total_steps=epochs * len(loader))``,
    ``CosineAnnealingLR(opt, T_max=epochs * len(loader))``. ``clip`` rescales the gradients so that their global
    L2 norm is at most ``clip`` (``torch.nn.utils.clip_grad_norm_``) before each step; the norms before clipping
    are recorded in ``history.grad_norm``. ``loader`` may be any iterable of batches, a generator included when
    ``epochs == 1``. ``plot_every=k`` redraws a live loss plot every ``k`` epochs (useful in JupyterLab, skipped
    when 0).
    """
    import torch

    model.to(device)
    history = History()
    bar = progress(range(epochs), desc="epochs", disable=not show_progress, leave=True)
    for epoch in bar:
        model.train()
        losses = []
        for xb, yb in loader:
            xb, yb = _to(xb, device), _to(yb, device)
            optimizer.zero_grad()
            loss = loss_fn(_forward(model, xb), yb)
            loss.backward()
            if clip is not None:
                norm = torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
                history.grad_norm.append(float(norm))
            optimizer.step()
            if scheduler is not None:
                scheduler.step()
            losses.append(float(loss.detach()))
        history.step_loss.extend(losses)
        history.train_loss.append(float(np.mean(losses)) if losses else float("nan"))
        postfix = {"loss": f"{history.train_loss[-1]:.4f}"}
        if val_loader is not None:
            v_loss, v_acc = evaluate(model, val_loader, loss_fn, device)
            history.val_loss.append(v_loss)
            history.val_accuracy.append(v_acc)
            postfix["val_acc"] = f"{v_acc:.3f}"
        if hasattr(bar, "set_postfix"):
            bar.set_postfix(postfix)
        if plot_every and (epoch + 1) % plot_every == 0:
            live_loss_plot(history)
    return history


def live_loss_plot(history: History) -> None:
    """Replace the cell's previous plot with the current loss curves."""
    import matplotlib.pyplot as plt
    from IPython.display import clear_output

    from course import plot

    clear_output(wait=True)
    curves = {"train": history.train_loss}
    if history.val_loss:
        curves["validation"] = history.val_loss
    plot.loss_curve(curves, xlabel="epoch")
    plt.show()

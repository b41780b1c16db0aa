"""Checks for test cells that talk to the learner: what was checked, what was expected, what came out, and why.

Every failure is an ``AssertionError`` (nbgrader counts it as a failed test) whose message shows expected against
got, where they differ most, and a hint about the usual mistake. Arrays may be NumPy arrays, torch tensors,
Python scalars or nested lists.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np


class CheckFailed(AssertionError):
    """A learner-facing test failure; the message is meant to be read in a notebook."""


def _fail(name: str, problem: str, hint: str | None = None, details: Sequence[str] = ()) -> CheckFailed:
    lines = [f"{name}: {problem}", *(f"  {d}" for d in details)]
    if hint:
        lines.append(f"  hint: {hint}")
    return CheckFailed("\n".join(lines))


def to_numpy(x: Any) -> np.ndarray:
    """Convert tensors, scalars and lists to a NumPy array without copying data the learner may still use."""
    if hasattr(x, "detach") and hasattr(x, "cpu"):
        x = x.detach().cpu().numpy()
    return np.asarray(x)


def _preview(a: np.ndarray, limit: int = 6) -> str:
    with np.printoptions(precision=6, threshold=limit, edgeitems=2, suppress=False, linewidth=100):
        return np.array2string(a, separator=", ").replace("\n", " ")


def rel_error(got: Any, expected: Any, eps: float = 1e-12) -> float:
    """Largest elementwise relative error ``|a-b| / max(|a|+|b|, eps)``, the figure gradient checks report."""
    a = to_numpy(got).astype(np.float64)
    b = to_numpy(expected).astype(np.float64)
    if a.size == 0 and b.size == 0:
        return 0.0
    return float(np.max(np.abs(a - b) / np.maximum(eps, np.abs(a) + np.abs(b))))


def grad_error(got: Any, expected: Any, floor: float = 1e-2, eps: float = 1e-12) -> float:
    """Largest elementwise relative error of a gradient, with the denominator floored at ``floor`` times the
    gradient's scale: ``|a-b| / max(|a|+|b|, floor * max(|a|+|b|), eps)``. This is what gradcheck reports.

    Plain :func:`rel_error` blows up on an entry that is near zero in both arrays: there the finite difference's
    own rounding error (about 1e-10 of the gradient's scale) is divided by almost nothing, so a correct backward
    fails. With the floor, such an entry is measured against the gradient's overall size, while every entry larger
    than ``floor`` times the biggest one is still held to its own relative error, so a wrong index, a missing term
    or a single entry that is 0.1% off (when it is at least 1% of the largest) still fails a 1e-6 tolerance.
    """
    a = to_numpy(got).astype(np.float64)
    b = to_numpy(expected).astype(np.float64)
    if a.size == 0 and b.size == 0:
        return 0.0
    size = np.abs(a) + np.abs(b)
    scale = float(np.max(size))
    return float(np.max(np.abs(a - b) / np.maximum(max(eps, floor * scale), size)))


def assert_shape(x: Any, shape: Sequence[int | None], name: str = "result", hint: str | None = None) -> None:
    """Check ``x.shape`` against ``shape``; ``None`` in ``shape`` accepts any size along that axis."""
    if x is None:
        raise _fail(name, "is None; did the function forget to `return` its result?", hint)
    got = tuple(to_numpy(x).shape)
    want = tuple(shape)
    if len(got) != len(want) or any(w is not None and g != w for g, w in zip(got, want)):
        pretty = "(" + ", ".join("any" if w is None else str(w) for w in want) + ("," if len(want) == 1 else "") + ")"
        raise _fail(name, "has the wrong shape.", hint, [f"expected shape: {pretty}", f"got shape:      {got}"])


def assert_finite(x: Any, name: str = "result", hint: str | None = None) -> None:
    """Fail when any entry is NaN or infinite, and say where the first one is."""
    a = to_numpy(x)
    bad = ~np.isfinite(a)
    if bad.any():
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        raise _fail(name, f"contains {int(bad.sum())} NaN or infinite value(s).", hint,
                    [f"first at index {where}: {a[where]}"])


def assert_close(
    got: Any,
    expected: Any,
    rtol: float = 1e-7,
    atol: float = 1e-10,
    name: str = "result",
    hint: str | None = None,
) -> None:
    """Check ``|got - expected| <= atol + rtol * |expected|`` elementwise (NumPy's ``allclose`` rule).

    Shapes must match exactly (no broadcasting), because a silently broadcast ``(N,)`` against ``(N, 1)`` is the
    most common wrong answer that ``allclose`` would accept.
    """
    if got is None:
        raise _fail(name, "is None; did the function forget to `return` its result?", hint)
    a = to_numpy(got)
    b = to_numpy(expected)
    if a.shape != b.shape:
        raise _fail(name, "has the wrong shape.", hint, [f"expected shape: {b.shape}", f"got shape:      {a.shape}"])
    if not np.issubdtype(a.dtype, np.number) and a.dtype != bool:
        raise _fail(name, f"should be numeric, got an array of {a.dtype}.", hint)
    a64 = a.astype(np.float64)
    b64 = b.astype(np.float64)
    if np.isnan(a64).any() and not np.isnan(b64).any():
        assert_finite(a64, name, hint)
    err = np.abs(a64 - b64)
    allowed = atol + rtol * np.abs(b64)
    bad = ~(err <= allowed) & ~(np.isnan(a64) & np.isnan(b64)) & ~(a64 == b64)
    if not bad.any():
        return
    worst = np.unravel_index(int(np.nanargmax(np.where(bad, err - allowed, -np.inf))), a64.shape) if a64.ndim else ()
    details = [f"expected: {_preview(b64)}", f"got:      {_preview(a64)}"]
    if a64.ndim:
        details.append(
            f"{int(bad.sum())} of {a64.size} entries differ; worst at index {tuple(int(i) for i in worst)}: "
            f"expected {b64[worst]:.8g}, got {a64[worst]:.8g}"
        )
    details.append(f"abs diff {err[worst]:.3g}, allowed {allowed[worst]:.3g} (rtol={rtol:g}, atol={atol:g})")
    raise _fail(name, "does not match the expected values.", hint, details)


def numeric_gradient(f: Callable[[np.ndarray], float], x: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """Central-difference gradient of a scalar function, one coordinate at a time (O(h^2) truncation error).

    ``x`` is perturbed in place and restored, so ``f`` may close over it (as layer parameters usually are).
    It must be a floating-point array (float64 for a meaningful check): an integer array raises ``TypeError``.
    """
    x = np.asarray(x)
    if not np.issubdtype(x.dtype, np.floating):
        raise TypeError(
            f"numeric_gradient needs a floating-point array, got dtype {x.dtype}: an integer array cannot hold "
            f"x + h (h = {h:g}), so every difference would be 0 and the check meaningless. Pass float64 values, "
            "e.g. x.astype(np.float64) or np.array([1.0, 2.0]) (with a decimal point)."
        )
    grad = np.zeros(x.shape, dtype=np.float64)
    for idx in np.ndindex(*x.shape):
        old = x[idx]
        x[idx] = old + h
        f_plus = float(f(x))
        x[idx] = old - h
        f_minus = float(f(x))
        x[idx] = old
        grad[idx] = (f_plus - f_minus) / (2 * h)
    return grad


def gradcheck(
    f: Callable[[np.ndarray], Any],
    x: np.ndarray,
    analytic: Any,
    upstream: np.ndarray | None = None,
    h: float = 1e-6,
    tol: float = 1e-6,
    name: str = "gradient",
    hint: str | None = None,
    verbose: bool = True,
) -> float:
    """Compare an analytic gradient with central differences and report their relative error.

    The error is :func:`grad_error`: the worst entry's relative error, except that an entry much smaller than the
    gradient's largest is measured against that scale, so an entry that is zero up to rounding cannot fail a
    correct backward.

    For a vector-valued ``f`` (a layer's forward pass) pass ``upstream``: the checked quantity is then the gradient
    of ``sum(f(x) * upstream)``, i.e. what the layer's ``backward(upstream)`` must return. Use float64 inputs:
    in float32 the rounding error of a finite difference alone is about 1e-3.
    """
    if analytic is None:
        raise _fail(name, "is None; did backward forget to `return` the gradient?", hint)
    if upstream is None:
        scalar = f
    else:
        up = np.asarray(upstream, dtype=np.float64)

        def scalar(z: np.ndarray) -> float:
            return float(np.sum(to_numpy(f(z)) * up))

    numeric = numeric_gradient(scalar, x, h)
    analytic = to_numpy(analytic)
    if analytic.shape != numeric.shape:
        raise _fail(name, "has the wrong shape: a gradient has the shape of what it differentiates.", hint,
                    [f"expected shape: {numeric.shape}", f"got shape:      {analytic.shape}"])
    err = grad_error(analytic, numeric)
    if verbose:
        print(f"{name}: relative error {err:.2e} (numeric vs analytic; expect < {tol:.0e})")
    if not err < tol:
        worst = np.unravel_index(int(np.argmax(np.abs(analytic - numeric))), numeric.shape) if numeric.ndim else ()
        raise _fail(name, f"relative error {err:.2e} is above {tol:.0e}.", hint, [
            f"numeric:  {_preview(numeric)}",
            f"analytic: {_preview(analytic)}",
            f"worst at index {tuple(int(i) for i in worst)}: "
            f"numeric {numeric[worst]:.8g}, analytic {analytic[worst]:.8g}",
        ])
    return err


def gradcheck_layer(layer: Any, x: np.ndarray, h: float = 1e-6, tol: float = 1e-6, seed: int = 0,
                    name: str | None = None, verbose: bool = True) -> dict[str, float]:
    """Gradient-check a layer that follows the course's layer pattern, for its input and every parameter.

    The pattern (chapter 04 onwards): ``out = layer.forward(x)`` caches what backward needs;
    ``dx = layer.backward(dout)`` returns the input gradient and fills ``layer.grads[k]`` for each array in
    ``layer.params[k]`` (a dict, possibly empty). A random upstream gradient makes every output entry count.
    Returns the relative error per checked quantity (``"x"`` and each parameter name).
    """
    label = name or type(layer).__name__
    x = np.asarray(x, dtype=np.float64)
    out = to_numpy(layer.forward(x))
    upstream = np.random.default_rng(seed).standard_normal(out.shape)
    dx = layer.backward(upstream)
    analytic = {"x": dx, **{k: to_numpy(g).copy() for k, g in getattr(layer, "grads", {}).items()}}
    errors = {"x": gradcheck(layer.forward, x, dx, upstream=upstream, h=h, tol=tol, name=f"{label} dx",
                             verbose=verbose)}
    for key, param in getattr(layer, "params", {}).items():
        if key not in analytic:
            raise _fail(f"{label}.grads", f"has no entry {key!r}; backward must fill grads for every parameter.")
        errors[key] = gradcheck(lambda _p: layer.forward(x), param, analytic[key], upstream=upstream, h=h, tol=tol,
                                name=f"{label} d{key}", verbose=verbose)
    return errors


def _torch_input(value: Any) -> Any:
    """A float array becomes a float64 leaf tensor that tracks its gradient; an integer or boolean array becomes a
    tensor without gradient (labels, indices, masks); anything else (a scalar, None, a string) passes through."""
    import torch

    if torch.is_tensor(value):
        t = value.detach().clone()
    elif isinstance(value, (np.ndarray, list, tuple)):
        t = torch.as_tensor(np.asarray(value))
    else:
        return value
    if torch.is_floating_point(t):
        return t.to(torch.float64).requires_grad_(True)
    return t if t.dtype == torch.bool else t.long()


def _against(got: Any, expected: np.ndarray, rtol: float, atol: float, name: str, hint: str | None) -> None:
    """:func:`assert_close`, with the largest absolute and relative errors and the shape added to a failure."""
    try:
        assert_close(got, expected, rtol=rtol, atol=atol, name=name, hint=hint)
    except CheckFailed as failure:
        a = to_numpy(got)
        lines = str(failure).split("\n")
        if a.shape == expected.shape and np.issubdtype(a.dtype, np.number) and a.size:
            diff = np.abs(a.astype(np.float64) - expected)
            at = len(lines) - 1 if lines[-1].startswith("  hint:") else len(lines)
            lines.insert(at, f"  against torch: max abs error {np.nanmax(diff):.3g}, max relative error "
                             f"{rel_error(a, expected):.3g} (rel_error), over {a.size} entries of shape {a.shape}")
        raise CheckFailed("\n".join(lines)) from None


def against_torch(
    got: Any,
    reference: Callable[..., Any],
    inputs: Sequence[Any] | dict[str, Any] = (),
    grads: dict[Any, Any] | Callable[[], dict[Any, Any]] | None = None,
    upstream: Any = None,
    rtol: float = 1e-6,
    atol: float = 1e-9,
    name: str = "result",
    hint: str | None = None,
    grad_hint: str | dict[Any, str] | None = None,
) -> Any:
    """Compare a from-scratch result, and optionally its gradients, with PyTorch computing the same thing.

    ``reference(*tensors)`` is called on ``inputs`` turned into float64 tensors (integer arrays such as class
    labels stay integer and get no gradient; scalars and ``None`` pass through unchanged) and returns a tensor, or
    a tuple of tensors when ``got`` is a tuple. ``inputs`` is a sequence, or a dict whose keys name the inputs
    (``{"x": x, "w": w, "b": b}``) and whose values are passed positionally in that order.

    ``grads`` maps an input's key (its name, or its position for a sequence) to the learner's gradient of it:
    torch back-propagates ``upstream`` (``dout``, the array the learner's ``backward`` received; ``None`` for a
    scalar output or to differentiate the sum of the output) and each gradient is compared with the input's
    ``.grad``. A callable ``grads`` is called only after the values matched, so a ``backward`` that needs a correct
    forward runs only then. ``grad_hint`` (default ``hint``) is the hint for a wrong gradient, or a dict of hints
    keyed by input (``{"x": ..., "w": ...}``) or by label (``{"dx": ...}``).

    Values are checked first, then gradients in the order given; the first mismatch fails with the shape, the
    worst entry and the largest absolute and relative errors (:func:`assert_close`'s rule, ``rtol`` and ``atol``).
    Returns torch's value as NumPy (a tuple of arrays for a tuple), for further checks.

        out = layer.forward(x)
        check.against_torch(out, lambda x, w, b: F.conv2d(x, w, b, padding=1), {"x": x, "w": w, "b": b},
                            grads=lambda: {"x": layer.backward(dout), "w": layer.grads["w"]}, upstream=dout,
                            name="Conv2d", hint="...")
    """
    import torch

    named = dict(inputs) if isinstance(inputs, dict) else dict(enumerate(inputs))
    tensors = {k: _torch_input(v) for k, v in named.items()}
    ref = reference(*tensors.values())
    several = isinstance(ref, (tuple, list))
    refs = list(ref) if several else [ref]
    gots = list(got) if several and isinstance(got, (tuple, list)) else [got]
    if got is None:
        raise _fail(name, "is None; did the function forget to `return` its result?", hint)
    if len(gots) != len(refs):
        raise _fail(name, f"should be a tuple of {len(refs)} results (like torch's), got {type(got).__name__}.",
                    hint)
    expected = [to_numpy(r).astype(np.float64) for r in refs]
    for i, (g, e) in enumerate(zip(gots, expected)):
        _against(g, e, rtol, atol, f"{name}[{i}]" if several else name, hint)
    if grads is not None:
        wanted = grads() if callable(grads) else grads
        unknown = [k for k in wanted if k not in tensors]
        if unknown:
            raise ValueError(f"against_torch: grads has keys {unknown} that are not inputs ({list(tensors)})")
        outs, ups = [], []
        ups_given = list(upstream) if several and upstream is not None else [upstream] * len(refs)
        for r, up in zip(refs, ups_given):
            if torch.is_tensor(r) and r.requires_grad:
                outs.append(r)
                ups.append(torch.ones_like(r) if up is None else torch.as_tensor(to_numpy(up), dtype=r.dtype))
        if outs:
            torch.autograd.backward(outs, ups)
        for key, g in wanted.items():
            t = tensors[key]
            if not (torch.is_tensor(t) and t.requires_grad):
                raise ValueError(f"against_torch: input {key!r} is not a float array, so it has no gradient")
            ref_grad = np.zeros(tuple(t.shape)) if t.grad is None else to_numpy(t.grad)
            label = f"d{key}" if isinstance(key, str) else f"the gradient of input {key}"
            if isinstance(grad_hint, dict):
                g_hint = grad_hint.get(key, grad_hint.get(label, hint))
            else:
                g_hint = grad_hint or hint
            _against(g, ref_grad, rtol, atol, f"{name}: {label} vs torch autograd", g_hint)
    values = [to_numpy(r) for r in refs]
    return tuple(values) if several else values[0]

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from course import check

floats = st.floats(-1e3, 1e3, allow_nan=False, width=64)


@given(hnp.arrays(np.float64, hnp.array_shapes(max_dims=3, max_side=5), elements=floats))
def test_assert_close_accepts_equal_arrays_and_tensors(a):
    import torch

    check.assert_close(a, a.copy())
    check.assert_close(torch.from_numpy(a), a)


def test_assert_close_reports_the_worst_entry_and_the_hint():
    with pytest.raises(AssertionError) as info:
        check.assert_close([1.0, 2.0, 3.5], [1.0, 2.0, 3.0], name="rmse(y, y_hat)", hint="use the mean")
    text = str(info.value)
    assert "rmse(y, y_hat): does not match" in text
    assert "worst at index (2,): expected 3, got 3.5" in text
    assert "hint: use the mean" in text


def test_assert_close_refuses_broadcasting_and_none():
    with pytest.raises(AssertionError, match="wrong shape"):
        check.assert_close(np.zeros((3, 1)), np.zeros(3))
    with pytest.raises(AssertionError, match="forget to `return`"):
        check.assert_close(None, np.zeros(3))


def test_assert_close_nan_is_named():
    with pytest.raises(AssertionError, match="NaN"):
        check.assert_close([np.nan, 1.0], [0.0, 1.0])
    check.assert_close([np.nan, 1.0], [np.nan, 1.0])


def test_assert_close_tolerances_follow_allclose():
    check.assert_close(1.0 + 1e-9, 1.0, rtol=1e-8)
    with pytest.raises(AssertionError):
        check.assert_close(1.0 + 1e-7, 1.0, rtol=1e-8, atol=0)


def test_assert_shape_with_wildcards():
    check.assert_shape(np.zeros((4, 2)), (4, None))
    with pytest.raises(AssertionError, match=r"expected shape: \(any, 3\)"):
        check.assert_shape(np.zeros((4, 2)), (None, 3))
    with pytest.raises(AssertionError, match=r"got shape:\s+\(4,\)"):
        check.assert_shape(np.zeros(4), (4, 1))


def test_assert_finite_points_at_the_first_bad_value():
    with pytest.raises(AssertionError, match=r"first at index \(1, 0\)"):
        check.assert_finite(np.array([[1.0, 2.0], [np.inf, 0.0]]))


@settings(max_examples=25, deadline=None)
@given(hnp.arrays(np.float64, st.integers(1, 6), elements=st.floats(-3, 3)))
def test_numeric_gradient_matches_analytic_for_smooth_functions(x):
    grad = check.numeric_gradient(lambda z: np.sum(np.sin(z) * z), x.copy())
    np.testing.assert_allclose(grad, np.cos(x) * x + np.sin(x), rtol=1e-6, atol=1e-8)


def test_gradcheck_passes_correct_and_fails_wrong_backward(capsys):
    rng = np.random.default_rng(0)
    W = rng.standard_normal((3, 2))
    x = rng.standard_normal((4, 3))
    up = rng.standard_normal((4, 2))
    err = check.gradcheck(lambda z: z @ W, x, up @ W.T, upstream=up, name="dx")
    assert err < 1e-8
    assert "dx: relative error" in capsys.readouterr().out
    with pytest.raises(AssertionError, match="relative error .* is above"):
        check.gradcheck(lambda z: z @ W, x, 2 * up @ W.T, upstream=up, verbose=False)
    with pytest.raises(AssertionError, match="wrong shape"):
        check.gradcheck(lambda z: z @ W, x, up, upstream=up, verbose=False)


def test_rel_error_is_symmetric_and_scale_free():
    assert check.rel_error(1.0, 1.0) == 0
    assert check.rel_error([2.0], [1.0]) == pytest.approx(1 / 3)
    assert check.rel_error([2e6], [1e6]) == pytest.approx(check.rel_error([2.0], [1.0]))


class _Scale:
    """The course's layer pattern in its smallest form, ``y = x * w + b`` per feature, with an optional bug."""

    def __init__(self, rng, bug=False):
        self.params = {"w": rng.standard_normal(3), "b": rng.standard_normal(3)}
        self.grads = {}
        self.bug = bug

    def forward(self, x):
        self.x = x
        return x * self.params["w"] + self.params["b"]

    def backward(self, dout):
        self.grads["w"] = (self.x * dout).sum(axis=0)
        self.grads["b"] = dout.mean(axis=0) if self.bug else dout.sum(axis=0)
        return dout * self.params["w"]


def test_gradcheck_layer_checks_input_and_every_parameter():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((4, 3))
    errors = check.gradcheck_layer(_Scale(rng), x, verbose=False)
    assert set(errors) == {"x", "w", "b"} and max(errors.values()) < 1e-7
    with pytest.raises(AssertionError, match="_Scale db: relative error"):
        check.gradcheck_layer(_Scale(rng, bug=True), x, verbose=False)


class _Conv2d:
    """A correct 2-D convolution (stride 1, zero padding) in the layer pattern, with optional planted bugs."""

    def __init__(self, w, b, padding, bug=None):
        self.params = {"w": w, "b": b}
        self.grads = {}
        self.p = padding
        self.bug = bug

    def forward(self, x):
        w = self.params["w"]
        p = self.p
        self.xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
        oh, ow = self.xp.shape[2] - w.shape[2] + 1, self.xp.shape[3] - w.shape[3] + 1
        out = np.zeros((x.shape[0], w.shape[0], oh, ow))
        for i, j in np.ndindex(*w.shape[2:]):
            out += np.einsum("nchw,fc->nfhw", self.xp[:, :, i:i + oh, j:j + ow], w[:, :, i, j])
        return out + self.params["b"][None, :, None, None]

    def backward(self, g):
        w = self.params["w"]
        p = self.p
        oh, ow = g.shape[2:]
        dxp = np.zeros_like(self.xp)
        dw = np.zeros_like(w)
        for i, j in np.ndindex(*w.shape[2:]):
            if self.bug == "dw misses the last tap" and (i, j) == (w.shape[2] - 1, w.shape[3] - 1):
                continue
            dw[:, :, i, j] = np.einsum("nchw,nfhw->fc", self.xp[:, :, i:i + oh, j:j + ow], g)
            dxp[:, :, i:i + oh, j:j + ow] += np.einsum("nfhw,fc->nchw", g, w[:, :, i, j])
        self.grads = {"w": dw, "b": g.sum(axis=(0, 2, 3))}
        dx = dxp[:, :, p - 1:-p - 1, p:-p] if self.bug == "dx cropped one row off" else dxp[:, :, p:-p, p:-p]
        if self.bug == "one dx entry 0.1% off":
            dx = dx.copy()
            dx[1, 1, 3, 3] *= 1.001
        return dx


def _conv_case(bug=None):
    """The case the old elementwise check failed: 5x5 kernels, padding 2, a dx entry that is zero up to rounding."""
    r = np.random.default_rng(18)
    layer = _Conv2d(r.standard_normal((3, 2, 5, 5)), r.standard_normal(3), padding=2, bug=bug)
    return layer, r.standard_normal((2, 2, 7, 7))


def test_gradcheck_passes_a_correct_conv_whose_gradient_has_a_near_zero_entry():
    import torch

    layer, x = _conv_case()
    up = np.random.default_rng(0).standard_normal(layer.forward(x).shape)
    dx = layer.backward(up)
    x_torch = torch.tensor(x, requires_grad=True)
    wt = torch.tensor(layer.params["w"], requires_grad=True)
    out = torch.nn.functional.conv2d(x_torch, wt, torch.tensor(layer.params["b"]), padding=2)
    (out * torch.tensor(up)).sum().backward()
    check.assert_close(dx, x_torch.grad, rtol=1e-9, atol=1e-12)
    check.assert_close(layer.grads["w"], wt.grad, rtol=1e-9, atol=1e-12)
    numeric = check.numeric_gradient(lambda z: np.sum(layer.forward(z) * up), x.copy())
    assert check.rel_error(dx, numeric) > 1e-6, "the case no longer has the entry that fooled the elementwise error"
    errors = check.gradcheck_layer(layer, x, verbose=False)
    assert max(errors.values()) < 1e-7


@pytest.mark.parametrize("bug", ["dw misses the last tap", "dx cropped one row off", "one dx entry 0.1% off"])
def test_gradcheck_still_fails_a_wrong_conv_backward(bug):
    layer, x = _conv_case(bug)
    with pytest.raises(AssertionError, match="relative error .* is above 1e-06"):
        check.gradcheck_layer(layer, x, verbose=False)


def test_grad_error_floors_near_zero_entries_and_keeps_relative_error_elsewhere():
    g = np.array([1.0, -2.0, 1e-12])
    assert check.grad_error(g, g + [0.0, 0.0, 1e-12]) < 1e-9
    assert check.rel_error(g, g + [0.0, 0.0, 1e-12]) > 0.3
    assert check.grad_error(2 * g, g) == pytest.approx(1 / 3)
    assert check.grad_error(g, g * [1.0, 1.0 + 1e-5, 1.0]) == pytest.approx(check.rel_error(g, g * [1, 1 + 1e-5, 1]))
    assert check.grad_error(np.zeros(3), np.zeros(3)) == 0.0
    assert check.grad_error([], []) == 0.0


@pytest.mark.parametrize("bad", [np.array([1, 2, 3]), np.array([True, False]), [1, 2]])
def test_numeric_gradient_refuses_non_float_input(bad):
    with pytest.raises(TypeError, match="float64"):
        check.numeric_gradient(lambda z: float(np.sum(np.asarray(z) ** 2)), bad)
    with pytest.raises(TypeError, match=r"astype\(np.float64\)"):
        check.gradcheck(lambda z: float(np.sum(z ** 2)), bad, 2 * np.asarray(bad))


def test_numeric_gradient_accepts_float32_and_float64():
    for dtype in (np.float32, np.float64):
        g = check.numeric_gradient(lambda z: float(np.sum(z ** 2)), np.array([1.0, -2.0], dtype=dtype), h=1e-3)
        assert np.allclose(g, [2.0, -4.0], rtol=1e-3)


def _dense_reference(x, w, b):
    import torch.nn.functional as F

    return F.linear(x, w.T, b)


@given(st.integers(1, 5), st.integers(1, 5), st.integers(1, 5), st.integers(0, 2**31 - 1))
@settings(max_examples=25, deadline=None)
def test_against_torch_accepts_a_correct_layer_and_its_gradients(n, d, m, seed):
    r = np.random.default_rng(seed)
    x, w, b = r.standard_normal((n, d)), r.standard_normal((d, m)), r.standard_normal(m)
    dout = r.standard_normal((n, m))
    value = check.against_torch(x @ w + b, _dense_reference, {"x": x, "w": w, "b": b}, upstream=dout,
                                grads={"x": dout @ w.T, "w": x.T @ dout, "b": dout.sum(axis=0)}, rtol=1e-10)
    assert value.shape == (n, m) and isinstance(value, np.ndarray)


def test_against_torch_names_the_wrong_gradient_with_errors_and_shapes():
    r = np.random.default_rng(0)
    x, w, b = r.standard_normal((4, 3)), r.standard_normal((3, 2)), r.standard_normal(2)
    dout = r.standard_normal((4, 2))
    with pytest.raises(check.CheckFailed) as e:
        check.against_torch(x @ w + b, _dense_reference, {"x": x, "w": w, "b": b}, upstream=dout, name="Dense",
                            grads={"x": dout @ w.T, "b": dout.mean(axis=0)}, hint="db sums over the batch")
    text = str(e.value)
    assert text.startswith("Dense: db vs torch autograd: does not match")
    assert "max abs error" in text and "max relative error" in text and "shape (2,)" in text
    assert text.splitlines()[-1] == "  hint: db sums over the batch"
    with pytest.raises(check.CheckFailed, match="hint: dx = dout @ w.T"):
        check.against_torch(x @ w + b, _dense_reference, {"x": x, "w": w, "b": b}, upstream=dout, hint="forward",
                            grads={"x": 2 * dout @ w.T, "w": x.T @ dout}, grad_hint={"dx": "dx = dout @ w.T", "w": "?"})
    with pytest.raises(check.CheckFailed, match="wrong shape") as e:
        check.against_torch((x @ w + b)[:, :1], _dense_reference, [x, w, b], name="Dense forward")
    assert "expected shape: (4, 2)" in str(e.value)


def test_against_torch_checks_values_before_calling_lazy_grads():
    calls = []
    x = np.array([[1.0, -2.0]])
    with pytest.raises(check.CheckFailed, match="ReLU forward"):
        check.against_torch(x, lambda t: t.relu(), [x], grads=lambda: calls.append(1) or {0: x}, name="ReLU forward")
    assert calls == []
    check.against_torch(np.maximum(x, 0), lambda t: t.relu(), [x], grads=lambda: {0: (x > 0) * 1.0})


def test_against_torch_scalar_losses_integer_labels_and_tuples():
    import torch.nn.functional as F

    z = np.array([[2.0, 0.0, -1.0], [0.5, 0.5, 3.0]])
    y = np.array([0, 2])
    p = np.exp(z - z.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    loss = -np.mean(np.log(p[range(2), y]))
    onehot = np.eye(3)[y]
    check.against_torch(loss, F.cross_entropy, {"z": z, "y": y}, grads={"z": (p - onehot) / 2})
    check.against_torch(loss, F.cross_entropy, {"z": z, "y": y.astype(np.int32)}, grads={"z": (p - onehot) / 2})
    with pytest.raises(check.CheckFailed, match="dz"):
        check.against_torch(loss, F.cross_entropy, {"z": z, "y": y}, grads={"z": p - onehot})
    with pytest.raises(ValueError, match="not a float array"):
        check.against_torch(loss, F.cross_entropy, {"z": z, "y": y}, grads={"y": y})
    pair = check.against_torch((z.max(1), z.argmax(1)), lambda t: tuple(t.max(1)), [z], name="max")
    assert np.array_equal(pair[1], [0, 2])
    with pytest.raises(check.CheckFailed, match=r"max\[1\]"):
        check.against_torch((z.max(1), z.argmin(1)), lambda t: tuple(t.max(1)), [z], name="max")
    with pytest.raises(check.CheckFailed, match="is None"):
        check.against_torch(None, lambda t: t, [z])


def test_import_course_does_not_import_torch():
    import subprocess
    import sys

    code = "import sys, course; course.check.against_torch; assert 'torch' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_against_torch_leaves_the_callers_arrays_and_tensors_alone():
    import torch

    x = np.array([[1.0, -2.0, 3.0]])
    t = torch.tensor([[0.5, 0.5, 0.5]], dtype=torch.float32)
    before = x.copy()
    check.against_torch(x * 0.5, lambda a, b: a * b, {"x": x, "t": t}, grads={"x": t.double().numpy(), "t": x})
    assert np.array_equal(x, before) and t.grad is None and not t.requires_grad and t.dtype == torch.float32

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

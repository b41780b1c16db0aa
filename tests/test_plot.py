import matplotlib.pyplot as plt
import numpy as np
import pytest

from course import plot


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def test_loss_curve_labels_several_curves():
    ax = plot.loss_curve({"train": [3, 2, 1], "val": [3, 2.5, 2]}, logy=True)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["train", "val"]
    assert ax.get_yscale() == "log" and len(ax.lines) == 2


def test_decision_boundary_colours_the_plane_by_prediction():
    X = np.array([[0.0, 0.0], [1.0, 1.0], [0.0, 1.0]])
    ax = plot.decision_boundary(lambda P: (P[:, 0] > 0.5).astype(int), X, np.array([0, 1, 0]), resolution=20)
    assert ax.collections, "expected a filled contour and a scatter"


def test_image_grid_accepts_flat_images():
    fig = plot.image_grid(np.random.default_rng(0).random((10, 64)), labels=list(range(10)), ncols=5)
    shown = [ax for ax in fig.axes if ax.images]
    assert len(shown) == 10 and shown[0].images[0].get_array().shape == (8, 8)


def test_heatmap_and_linear_map_draw():
    ax = plot.heatmap(np.eye(3), xlabels=list("abc"), ylabels=list("xyz"))
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b", "c"]
    ax = plot.linear_map(np.array([[2.0, 0.0], [0.0, 0.5]]))
    ellipse = ax.lines[1].get_xydata()
    assert np.abs(ellipse[:, 0]).max() == pytest.approx(2.0, rel=1e-3)
    plot.linear_map(np.array([[0.0, -1.0], [1.0, 0.0]]))  # complex eigenvalues: no eigenvector lines


def test_contour_path_keeps_finite_points():
    path = np.array([[1.0, 1.0], [0.5, 0.5], [np.inf, np.nan]])
    ax = plot.contour_path(lambda t: float(t @ t), path)
    assert len(ax.lines[0].get_xydata()) == 2

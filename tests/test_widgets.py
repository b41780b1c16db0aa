"""Widgets are built and their drawing code run headless; the browser suite checks them in JupyterLab."""

import ipywidgets as w
import matplotlib.pyplot as plt
import numpy as np
import pytest

from course import widgets


@pytest.fixture(autouse=True)
def _capture_draws(monkeypatch):
    import IPython.display

    shown = []
    monkeypatch.delenv("COURSE_HEADLESS", raising=False)
    monkeypatch.setattr(IPython.display, "display", lambda fig, **_: shown.append(fig))
    yield shown
    plt.close("all")


def _controls(box):
    return {c.description: c for c in box.children[0].children}


def test_interactive_plot_redraws_on_change(_capture_draws):
    calls = []
    box = widgets.interactive_plot(lambda ax, k: calls.append(k), k=w.IntSlider(value=1, min=0, max=5))
    assert calls == [1]
    box.children[0].children[0].value = 4
    assert calls == [1, 4] and len(_capture_draws) == 2


def test_linear_map_explorer_has_four_entries():
    box = widgets.linear_map_explorer()
    assert set(_controls(box)) == {"a11", "a12", "a21", "a22"}
    _controls(box)["a12"].value = -1.0


def test_low_rank_explorer_uses_the_learners_function():
    used = []

    def low_rank(A, k):
        used.append(k)
        U, S, Vt = np.linalg.svd(A)
        return (U[:, :k] * S[:k]) @ Vt[:k]

    box = widgets.low_rank_explorer(np.random.default_rng(0).random((8, 8)), low_rank=low_rank)
    _controls(box)["rank"].value = 5
    assert used == [2, 5]


def test_polyfit_and_gd_explorers_draw_every_setting():
    rng = np.random.default_rng(0)
    x = np.sort(rng.random(30))
    y = 2 + x + rng.normal(0, 0.1, 30)
    box = widgets.polyfit_explorer(x, y, n_train=24)
    _controls(box)["degree"].value = 9
    _controls(box)["log10 λ"].value = -2.0
    X = np.c_[np.ones_like(x), x]
    box = widgets.gd_explorer(X, y)
    _controls(box)["η·λ_max/2"].value = 1.2  # diverging path must still draw


def test_stepper_advances_resets_and_redraws(_capture_draws):
    drawn = []
    box = widgets.stepper(init=lambda lr: [0.0], step=lambda s, lr: [*s, s[-1] + lr],
                          draw=lambda ax, state, lr: drawn.append(list(state)),
                          lr=w.FloatSlider(value=0.5, min=0, max=1), label="Train")
    box.click()
    box.click()
    assert box.state() == [0.0, 0.5, 1.0]
    box.children[0].children[0].value = 0.25
    assert box.state() == [0.0]
    box.click()
    assert drawn[-1] == [0.0, 0.25] and len(_capture_draws) == len(drawn) == 5
    buttons = [c.description for c in box.children[0].children if isinstance(c, w.Button)]
    assert buttons == ["Train", "Reset"]


def test_headless_runs_also_draw_a_static_figure(monkeypatch, _capture_draws):
    monkeypatch.setenv("COURSE_HEADLESS", "1")
    calls = []
    box = widgets.interactive_plot(lambda ax, k: calls.append(k), k=w.IntSlider(value=3))
    assert isinstance(box, w.VBox) and calls == [3, 3] and len(_capture_draws) == 2, "static figure + widget"
    stepper = widgets.stepper(init=lambda lr: [0.0], step=lambda s, lr: [*s, lr],
                              draw=lambda ax, state, lr: calls.append(state), lr=w.FloatSlider(value=0.5))
    assert calls[2] == [0.0, 0.5] and len(_capture_draws) == 4
    stepper.click()
    assert stepper.state() == [0.0, 0.5]


def test_replay_draws_the_frame_the_slider_or_the_play_button_sets(_capture_draws):
    frames = []
    box = widgets.replay(lambda ax, frame: frames.append(frame), n_frames=5)
    controls = box.children[0].children
    play, slider = controls[0], _controls(box)["frame"]
    assert isinstance(play, w.Play) and (slider.min, slider.max) == (0, 4) and (play.min, play.max) == (0, 4)
    slider.value = 3
    assert frames == [0, 3] and len(_capture_draws) == 2

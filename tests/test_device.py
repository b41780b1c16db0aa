import numpy as np
import pytest

from course import device


def test_auto_picks_the_best_available(monkeypatch):
    monkeypatch.setattr(device, "available_devices", lambda: ["cuda", "cpu"])
    assert device.resolve_device("auto") == "cuda"
    monkeypatch.setattr(device, "available_devices", lambda: ["cpu"])
    assert device.resolve_device("auto") == "cpu"
    assert device.resolve_device(None) == "cpu"


def test_missing_cuda_is_an_error_not_a_fallback(monkeypatch):
    monkeypatch.setattr(device, "available_devices", lambda: ["cpu"])
    with pytest.raises(device.DeviceError, match="cuda.*requested.*available here: cpu"):
        device.resolve_device("cuda")
    with pytest.raises(device.DeviceError, match="cuda"):
        device.resolve_device("cuda:1")


def test_explicit_devices_and_unknown_names(monkeypatch):
    monkeypatch.setattr(device, "available_devices", lambda: ["cuda", "cpu"])
    assert device.resolve_device("CPU") == "cpu"
    assert device.resolve_device("cuda:1") == "cuda:1"
    with pytest.raises(device.DeviceError, match="unknown device"):
        device.resolve_device("tpu")


def test_this_machine_always_has_cpu():
    assert device.available_devices()[-1] == "cpu"


@pytest.mark.parametrize(
    ("env", "expected"),
    [({}, False), ({"COURSE_SMOKE": "1"}, True), ({"COURSE_SMOKE": "0"}, False),
     ({"NBGRADER_EXECUTION": "autograde"}, True), ({"COURSE_SMOKE": "off", "NBGRADER_EXECUTION": "validate"}, False)],
)
def test_smoke_default(monkeypatch, env, expected):
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    assert device.smoke_default() is expected


def test_seeding_reproduces_numpy_and_torch():
    import torch

    rng = device.seed_everything(3)
    a = (rng.standard_normal(3), np.random.rand(2), torch.rand(2))
    rng = device.seed_everything(3)
    b = (rng.standard_normal(3), np.random.rand(2), torch.rand(2))
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert torch.equal(a[2], b[2])


def test_setup_announces_what_it_picked(capsys, monkeypatch):
    monkeypatch.setattr(device, "available_devices", lambda: ["cpu"])
    dev, smoke, rng = device.setup("auto", seed=1, smoke=True)
    assert (dev, smoke) == ("cpu", True)
    assert isinstance(rng, np.random.Generator)
    assert "[course] device=cpu seed=1 smoke=True" in capsys.readouterr().out

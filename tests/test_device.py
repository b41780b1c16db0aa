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
    out = capsys.readouterr().out
    assert "[course] device=cpu seed=1 smoke=True threads=" in out
    assert "smoke mode: tiny data and few steps" in out


def _cgroup(tmp_path, v2=None, v1=None, group="/kernel/42"):
    """A fake /sys/fs/cgroup and /proc/self/cgroup: v2 ``cpu.max`` or v1 (quota, period) for ``group``."""
    root = tmp_path / "cgroup"
    lines = []
    if v2 is not None:
        (root / group.lstrip("/")).mkdir(parents=True)
        (root / group.lstrip("/") / "cpu.max").write_text(v2 + "\n")
        (root / "cpu.max").write_text("max 100000\n")
        lines.append(f"0::{group}")
    if v1 is not None:
        folder = root / "cpu,cpuacct" / group.lstrip("/")
        folder.mkdir(parents=True)
        (folder / "cpu.cfs_quota_us").write_text(f"{v1[0]}\n")
        (folder / "cpu.cfs_period_us").write_text(f"{v1[1]}\n")
        lines += ["4:memory:/elsewhere", f"2:cpu,cpuacct:{group}"]
    proc = tmp_path / "proc_cgroup"
    proc.write_text("\n".join(lines) + "\n")
    return {"root": root, "proc_cgroup": proc}


def test_cgroup_quota_v2_v1_and_unlimited(tmp_path):
    assert device.cgroup_cpu_limit(**_cgroup(tmp_path / "a", v2="150000 100000")) == 1.5
    assert device.cgroup_cpu_limit(**_cgroup(tmp_path / "b", v2="max 100000")) is None
    assert device.cgroup_cpu_limit(**_cgroup(tmp_path / "c", v1=(200000, 100000))) == 2.0
    assert device.cgroup_cpu_limit(**_cgroup(tmp_path / "d", v1=(-1, 100000))) is None
    assert device.cgroup_cpu_limit(tmp_path / "missing", tmp_path / "missing") is None


@pytest.mark.parametrize(
    ("env", "affinity", "cgroup", "threads", "why"),
    [
        ({}, 2, None, 1, "1 left for other work"),                  # the 2-core reference machine
        ({}, 1, None, 1, "1 CPUs by affinity"),
        ({}, 4, None, 3, "4 CPUs by affinity"),
        ({}, 64, None, 8, "at most 8"),
        ({}, 64, "200000 100000", 1, "cgroup quota 2"),             # a hub spawner's limit, all host cores visible
        ({}, 64, "250000 100000", 2, "cgroup quota 2.5"),           # a fraction of a core still gets a thread
        ({}, 4, "800000 100000", 3, "4 CPUs by affinity"),          # taskset narrower than the quota
        ({"COURSE_JOBS": "2"}, 8, None, 4, "2 jobs"),
        ({"COURSE_JOBS": "4"}, 2, None, 1, "4 jobs"),
        ({"OMP_NUM_THREADS": "3"}, 16, "100000 100000", 3, "OMP_NUM_THREADS=3"),
        ({"OMP_NUM_THREADS": "1", "COURSE_JOBS": "2"}, 2, None, 1, "OMP_NUM_THREADS=1, 2 jobs"),
        ({"OMP_NUM_THREADS": ""}, 2, None, 1, "1 left for other work"),
    ],
)
def test_choose_threads(tmp_path, env, affinity, cgroup, threads, why):
    files = _cgroup(tmp_path, v2=cgroup) if cgroup else {"root": tmp_path / "none", "proc_cgroup": tmp_path / "none"}
    choice = device.choose_threads(env=env, affinity=affinity, **files)
    assert choice.threads == threads
    assert why in choice.reason


def test_cpu_jiffies_reads_only_the_allowed_cpus(tmp_path):
    stat = tmp_path / "stat"
    stat.write_text("cpu  9 0 9 9 0 0 0 0 0 0\n"
                    "cpu0 10 0 10 70 10 0 0 0 0 0\n"
                    "cpu1 50 0 50 0 0 0 0 0 0 0\n"
                    "intr 5\n")
    assert device._cpu_jiffies({0}, stat) == (20.0, 100.0)
    assert device._cpu_jiffies({0, 1}, stat) == (120.0, 200.0)
    assert device._cpu_jiffies({0}, tmp_path / "missing") is None


def test_other_busy_cpus_sees_a_busy_neighbour():
    import subprocess
    import sys

    if device.other_busy_cpus() is None:
        pytest.skip("no /proc/stat here")
    spinner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        import time

        time.sleep(0.3)
        assert device.other_busy_cpus(0.3) >= 0.7
    finally:
        spinner.kill()
        spinner.wait()


def test_affinity_is_what_the_scheduler_allows():
    import os

    if hasattr(os, "sched_getaffinity"):
        assert device.affinity_cpus() == len(os.sched_getaffinity(0))
    assert 1 <= device.affinity_cpus() <= (os.cpu_count() or 1)


def test_share_threads_sets_the_share_and_the_jobs_hint(monkeypatch):
    for var in (*device.THREAD_ENV, device.JOBS_ENV):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setattr(device, "affinity_cpus", lambda: 8)
    monkeypatch.setattr(device, "cgroup_cpu_limit", lambda *a, **k: None)
    device.share_threads(2)
    import os

    assert os.environ["OMP_NUM_THREADS"] == "4" and os.environ[device.JOBS_ENV] == "2"
    monkeypatch.delenv("OMP_NUM_THREADS")
    monkeypatch.delenv(device.JOBS_ENV)
    device.share_threads(3)
    assert os.environ["OMP_NUM_THREADS"] == "2"
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    device.share_threads(2)
    assert os.environ["OMP_NUM_THREADS"] == "1"


def test_setup_applies_the_choice_to_torch_and_blas(monkeypatch, capsys):
    import torch
    from threadpoolctl import threadpool_info, threadpool_limits

    before, blas = torch.get_num_threads(), threadpool_limits(limits=None)
    monkeypatch.setattr(device, "available_devices", lambda: ["cpu"])
    monkeypatch.setattr(device, "choose_threads", lambda: device.ThreadChoice(1, "test"))
    for var in device.THREAD_ENV:
        monkeypatch.setenv(var, "0")
    try:
        device.setup("cpu", smoke=False)
        assert torch.get_num_threads() == 1
        assert all(pool["num_threads"] == 1 for pool in threadpool_info() if pool["user_api"] == "blas")
        assert "threads=1 (test" in capsys.readouterr().out
    finally:
        torch.set_num_threads(before)
        blas.restore_original_limits()


def test_import_course_stays_free_of_torch():
    import subprocess
    import sys

    code = "import sys, course, course.device; assert 'torch' not in sys.modules, 'import course pulled in torch'"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_cgroup_files_that_make_no_sense_mean_no_limit(tmp_path):
    assert device.cgroup_cpu_limit(**_cgroup(tmp_path / "a", v2="garbage")) is None
    assert device.cgroup_cpu_limit(**_cgroup(tmp_path / "b", v1=("x", 100000))) is None
    assert device.cgroup_cpu_limit(**_cgroup(tmp_path / "c", v1=(100000, 0))) is None

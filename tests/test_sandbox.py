"""The sandbox's command line: what a grading kernel can see and do is decided here, so every piece is pinned."""

from __future__ import annotations

from pathlib import Path

from course.grading import sandbox


def _argv(tmp_path: Path, stage_files=("data.csv", "nb.ipynb", ".hidden")) -> list[str]:
    stage = tmp_path / "stage"
    stage.mkdir()
    for name in stage_files:
        (stage / name).write_text("x")
    cfg = sandbox.SandboxConfig(ipc_dir=str(tmp_path / "ipc" / "slot-0"), hide=["/tmp", "/root", str(tmp_path)],
                                expose=["/opt/env"], uid=123_456,
                                limits=sandbox.Limits(memory_bytes=2**30, cpu_seconds=60, processes=32,
                                                      file_bytes=2**20, workdir_bytes=2**24))
    return sandbox.command(cfg, "/ipc/kernel-1.json", stage, bwrap="/usr/bin/bwrap")


def _pairs(argv: list[str], flag: str) -> list[str]:
    return [argv[i + 1] for i, a in enumerate(argv) if a == flag]


def test_namespaces_root_and_environment(tmp_path):
    argv = _argv(tmp_path)
    assert argv[:4] == ["/usr/bin/bwrap", "--ro-bind", "/", "/"], "the root is read-only"
    for flag in ("--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--die-with-parent",
                 "--new-session", "--clearenv"):
        assert flag in argv
    env = dict(zip(_pairs(argv, "--setenv"), [argv[i + 2] for i, a in enumerate(argv) if a == "--setenv"]))
    assert env["HOME"] == sandbox.WORKDIR and env["MPLBACKEND"] == "Agg"
    assert "JPY_PARENT_PID" not in env and not any("TOKEN" in k or "SECRET" in k for k in env)


def test_secrets_are_hidden_and_only_the_environment_is_exposed(tmp_path):
    argv = _argv(tmp_path)
    assert {"/root", str(tmp_path), "/tmp"} <= set(_pairs(argv, "--tmpfs"))
    assert "/opt/env" in _pairs(argv, "--ro-bind")
    ipc = str(tmp_path / "ipc" / "slot-0")
    assert ipc in _pairs(argv, "--bind"), "the kernel reaches its ipc sockets, nothing else writable"
    assert str(tmp_path / "ipc") in _pairs(argv, "--dir"), "folders above the sockets exist inside the tmpfs"


def test_the_working_directory_holds_the_submissions_files_but_not_its_notebook(tmp_path):
    argv = _argv(tmp_path)
    assert argv[argv.index(sandbox.WORKDIR) - 3:argv.index(sandbox.WORKDIR)] == ["--size", str(2**24), "--tmpfs"]
    mounted = [argv[i + 2] for i, a in enumerate(argv) if a == "--ro-bind" and argv[i + 1].startswith(str(tmp_path))]
    assert mounted == [f"{sandbox.WORKDIR}/data.csv"], "the notebook and hidden files never enter the sandbox"
    assert argv[argv.index("--chdir") + 1] == sandbox.WORKDIR


def test_limits_and_an_unprivileged_uid_wrap_the_kernel(tmp_path):
    argv = _argv(tmp_path)
    tail = argv[argv.index("--") + 1:]
    assert tail[:6] == ["prlimit", f"--as={2**30}", "--cpu=60", "--nproc=32", f"--fsize={2**20}", "--"]
    assert tail[6:11] == ["setpriv", "--reuid=123456", "--regid=123456", "--clear-groups", "--"]
    assert tail[-4:] == ["-m", "ipykernel_launcher", "-f", "/ipc/kernel-1.json"]


def test_without_root_and_opted_in_a_user_namespace_replaces_the_uid_switch(tmp_path, monkeypatch):
    """A JupyterHub instructor's server (not root) sandboxes the formgrader's Autograde in a user namespace; the
    grader's home and the exchange are hidden, since the kernel keeps the grader's uid."""
    monkeypatch.setattr(sandbox.os, "geteuid", lambda: 1000)
    assert not sandbox.unprivileged(), "never without the opt-in: a grader that is not root otherwise refuses"
    monkeypatch.setenv(sandbox.UNPRIVILEGED_ENV, "1")
    (tmp_path / "exchange").mkdir()
    monkeypatch.setenv("NBGRADER_EXCHANGE", str(tmp_path / "exchange"))
    argv = _argv(tmp_path)
    assert "setpriv" not in argv
    tail = argv[argv.index("--unshare-user"):]
    assert tail[:3] == ["--unshare-user", "--disable-userns", "--"] and tail[3] == "prlimit"
    hidden = sandbox.default_hidden(tmp_path / "course")
    assert str(Path.home()) in hidden and str(tmp_path / "exchange") in hidden


def test_config_round_trips_through_json(tmp_path):
    cfg = sandbox.SandboxConfig(ipc_dir="/x", hide=["/a"], expose=["/b"], uid=7, limits=sandbox.Limits(processes=3))
    assert sandbox.SandboxConfig.read(cfg.write(tmp_path / "c.json")) == cfg


def test_the_chain_probe_names_the_step_that_failed(monkeypatch):
    """One trial run of bubblewrap → prlimit → setpriv → python, up front, instead of one failure per submission."""
    import sys

    monkeypatch.setattr(sandbox, "_AVAILABLE", None)
    monkeypatch.setattr(sandbox.shutil, "which", lambda tool: f"/usr/bin/{tool}")
    for stderr, says in [("setpriv: setresuid failed: Operation not permitted", "setpriv cannot switch"),
                         ("bwrap: No permissions to creating new namespace", "cannot create the sandbox's namespaces"),
                         ("prlimit: failed to set the AS resource limit", "prlimit cannot set")]:
        fail = [sys.executable, "-c", f"import sys; sys.stderr.write({stderr!r}); sys.exit(1)"]
        monkeypatch.setattr(sandbox, "wrap", lambda cfg, program, stage, bwrap, fail=fail: fail)
        try:
            sandbox.check_available()
        except sandbox.SandboxUnavailable as exc:
            assert says in str(exc) and stderr in str(exc)
        else:
            raise AssertionError(f"{stderr!r} was not reported")
    monkeypatch.setattr(sandbox, "wrap", lambda cfg, program, stage, bwrap: [sys.executable, "-c", "pass"])
    assert sandbox.check_available() == "/usr/bin/bwrap"


def test_connection_files_are_readable_by_the_slot_alone(tmp_path, monkeypatch):
    """The connection file holds the key that authorises code execution in the kernel."""
    import os
    import stat

    ipc = tmp_path / "ipc"
    ipc.mkdir()
    sandbox.own_ipc_dir(ipc, 123_456)
    cfg = sandbox.SandboxConfig(ipc_dir=str(ipc), hide=[], expose=[], uid=123_456)
    monkeypatch.setenv(sandbox.CONFIG_ENV, str(cfg.write(tmp_path / "slot.json")))
    original = tmp_path / "kernel-1.json"
    original.write_text('{"key": "secret"}')
    launched = []
    monkeypatch.setattr(sandbox.os, "execvp", lambda prog, argv: launched.append(argv))
    sandbox.launch(str(original))
    copy = ipc / "kernel-1.json"
    assert launched and launched[0][-1] == str(copy)
    assert stat.S_IMODE(ipc.stat().st_mode) == 0o700 and stat.S_IMODE(copy.stat().st_mode) == 0o600
    if os.geteuid() == 0:
        assert ipc.stat().st_uid == copy.stat().st_uid == 123_456


def test_reaping_a_slot_kills_everything_its_uid_left_behind():
    """A fork bomb's children outlive their kernel for a moment and count against the uid's process limit: the
    grader reaps a slot's uid before the next submission gets it."""
    import os
    import subprocess
    import threading

    import psutil
    import pytest

    if os.geteuid() != 0:
        pytest.skip("only root can start processes under another uid")
    uid = sandbox.BASE_UID + 1000 * (os.getpid() % 100_000) + 999
    shell = subprocess.Popen(["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--",
                              "sh", "-c", "for i in 1 2 3 4 5; do sleep 60 & done; wait"])
    threading.Thread(target=shell.wait, daemon=True).start()    # the test's own child: reaped by the test

    def of_uid():
        return [p for p in psutil.process_iter(["uids"]) if p.info["uids"] and p.info["uids"].real == uid]

    for _ in range(100):
        if len(of_uid()) == 6:
            break
        threading.Event().wait(0.05)
    assert len(of_uid()) == 6, "the shell and its five sleeps run under the slot's uid"
    assert sandbox.reap([uid]) == []
    assert of_uid() == []


def test_a_uid_block_from_the_environment_never_meets_a_pid_chosen_one(monkeypatch):
    """Pods of one Job start their graders with the same small pid but count processes per uid across the node:
    ``$COURSE_SANDBOX_UID_BLOCK`` (the Job's completion index) gives each shard uids of its own."""
    import os

    import pytest

    from course import grading

    monkeypatch.delenv(sandbox.UID_BLOCK_ENV, raising=False)
    assert sandbox.uid_block() == os.getpid() % 100_000 < 100_000
    bases = set()
    for index in ("0", "1", "7"):
        monkeypatch.setenv(sandbox.UID_BLOCK_ENV, index)
        assert sandbox.uid_block() == 100_000 + int(index)
        options = grading.GradeOptions()
        assert options.uid_base == sandbox.BASE_UID + 1000 * (100_000 + int(index))
        bases.add(options.uid_base)
    assert len(bases) == 3 and max(bases) + 999 < 2**32 - 1
    monkeypatch.setenv(sandbox.UID_BLOCK_ENV, "-1")
    with pytest.raises(ValueError):
        sandbox.uid_block()


def test_code_in_the_sandbox_has_no_capabilities_and_cannot_gain_any(tmp_path):
    """The grader runs as root (in a privileged pod on Kubernetes, deploy/): what runs inside has an unprivileged uid,
    no capabilities, and no_new_privs, so no setuid program gives root back."""
    import subprocess

    import pytest

    from .conftest import sandbox_ok

    if not sandbox_ok():
        pytest.skip("bubblewrap cannot sandbox a kernel on this machine")
    ipc = tmp_path / "ipc"
    ipc.mkdir()
    sandbox.own_ipc_dir(ipc, sandbox.BASE_UID)
    cfg = sandbox.SandboxConfig(ipc_dir=str(ipc), hide=sandbox.default_hidden(tmp_path),
                                expose=sandbox.default_exposed())
    argv = sandbox.wrap(cfg, ["cat", "/proc/self/status"], tmp_path / "empty")
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    status = dict(line.split(":", 1) for line in proc.stdout.splitlines() if ":" in line)
    assert status["Uid"].split()[0] == str(sandbox.BASE_UID)
    for cap in ("CapInh", "CapPrm", "CapEff", "CapAmb"):
        assert int(status[cap], 16) == 0, f"{cap}: {status[cap].strip()}"
    assert status["NoNewPrivs"].strip() == "1"

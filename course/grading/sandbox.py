"""A sandboxed Jupyter kernel for grading: student code runs without network, secrets or the power to hurt the run.

nbgrader executes a submission in a kernel that would otherwise have the grader's rights. Here the kernel is
started through a kernel spec whose ``argv`` is this module: it rewrites the launch into

    bwrap (new mount/net/pid/ipc/uts namespaces, read-only /, private tmpfs over secrets)
      prlimit (address space, CPU seconds, processes, file size)
        setpriv (an unprivileged uid of its own, so process limits are per student)
          python -m ipykernel_launcher -f CONNECTION

Without root (a JupyterHub instructor's own server running the formgrader) setpriv cannot switch uids: with
``COURSE_SANDBOX_UNPRIVILEGED=1`` bubblewrap then makes an unprivileged user namespace instead (no further namespaces
inside) and the kernel keeps the grader's uid, so the grader's home and the exchange are hidden too; the process
limit then counts within that namespace. Unset, a grader that is not root has no sandbox and autograding refuses.

Without a network namespace loopback TCP is gone too, so the grader talks to the kernel over ZMQ ipc sockets in a
dedicated folder (``KernelManager.transport = "ipc"``). The working directory is a size-limited tmpfs holding only
that submission's non-notebook files: the notebook itself (with the hidden tests restored) never enters.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path

from course.config import DATA_ENV, data_home

KERNEL_NAME = "course-sandbox"
BASE_UID = 100_000
CONFIG_ENV = "COURSE_SANDBOX_CONFIG"
UID_BLOCK_ENV = "COURSE_SANDBOX_UID_BLOCK"
UNPRIVILEGED_ENV = "COURSE_SANDBOX_UNPRIVILEGED"
WORKDIR = "/tmp/work"
PASSTHROUGH_ENV = ("PATH", "PYTHONPATH", "LANG", "LC_ALL", "NBGRADER_EXECUTION", "COURSE_SMOKE",
                   "OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", DATA_ENV)


class SandboxUnavailable(RuntimeError):
    """This machine cannot sandbox a kernel (bubblewrap missing or not permitted)."""


@dataclass
class Limits:
    """Per-kernel resource limits; the defaults suit the chapters in smoke mode with a wide margin."""

    memory_bytes: int = 6 * 2**30
    cpu_seconds: int = 900
    processes: int = 256
    file_bytes: int = 64 * 2**20
    workdir_bytes: int = 256 * 2**20


@dataclass
class SandboxConfig:
    """What one grading process's kernels may see; written to JSON and read back by the kernel launcher."""

    ipc_dir: str
    hide: list[str]
    expose: list[str]
    uid: int = BASE_UID
    limits: Limits = field(default_factory=Limits)

    def write(self, path: Path) -> Path:
        path.write_text(json.dumps(asdict(self), indent=1))
        return path

    @classmethod
    def read(cls, path: str | os.PathLike) -> SandboxConfig:
        raw = json.loads(Path(path).read_text())
        return cls(**{**raw, "limits": Limits(**raw["limits"])})


_AVAILABLE: str | None = None


def check_available() -> str:
    """Return the bubblewrap path after one trial run of the whole chain a kernel starts through (bubblewrap's
    namespaces, prlimit, setpriv's uid switch, the interpreter importing ipykernel inside); raise, naming the step
    that failed, otherwise. The answer is kept for the life of the process."""
    global _AVAILABLE
    if _AVAILABLE:
        return _AVAILABLE
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        raise SandboxUnavailable("bubblewrap (bwrap) is not installed: apt-get install bubblewrap")
    for tool in ("prlimit", "setpriv"):
        if shutil.which(tool) is None:
            raise SandboxUnavailable(f"{tool} is not installed (util-linux)")
    with tempfile.TemporaryDirectory(prefix="course-sandbox-probe-") as tmp:
        ipc = Path(tmp) / "ipc"
        ipc.mkdir()
        own_ipc_dir(ipc, BASE_UID)
        cfg = SandboxConfig(ipc_dir=str(ipc), hide=default_hidden(Path(tmp)), expose=default_exposed())
        argv = wrap(cfg, [sys.executable, "-c", "import ipykernel, course"], Path(tmp) / "empty", bwrap)
        probe = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    if probe.returncode != 0:
        err = probe.stderr.strip()
        step = next((tool for tool in ("bwrap", "prlimit", "setpriv") if err.startswith(f"{tool}:")), "python")
        why = {"bwrap": "bubblewrap cannot create the sandbox's namespaces here",
               "prlimit": "prlimit cannot set the kernel's resource limits",
               "setpriv": f"setpriv cannot switch to the sandbox's own uid {BASE_UID} (the grader must run as root, "
                          f"or set {UNPRIVILEGED_ENV}=1 for an unprivileged sandbox)",
               "python": "the sandboxed interpreter cannot start a kernel (is the environment readable by others?)"}
        raise SandboxUnavailable(f"{why[step]}: {err.splitlines()[-1] if err else f'exit {probe.returncode}'}")
    _AVAILABLE = bwrap
    return bwrap


def uid_block() -> int:
    """Which block of 1000 sandbox uids this grading process's kernels use: by default one chosen by the pid, so
    that concurrent graders on one machine never share a uid (and with it a process limit). Where pids repeat, as
    in the pods of a Kubernetes Job (each grader starts with the same small pid, while the per-uid process limit is
    counted across the node), ``$COURSE_SANDBOX_UID_BLOCK`` (an integer >= 0, e.g. the Job's completion index) picks
    a block outside the pid-chosen ones instead."""
    value = os.environ.get(UID_BLOCK_ENV, "").strip()
    if value:
        block = int(value)
        if block < 0:
            raise ValueError(f"${UID_BLOCK_ENV} must be an integer >= 0, not {value!r}")
        return 100_000 + block
    return os.getpid() % 100_000


def unprivileged() -> bool:
    """Sandbox without root: a user namespace instead of a uid of its own (opted into with the environment)."""
    return os.geteuid() != 0 and os.environ.get(UNPRIVILEGED_ENV) == "1"


def own_ipc_dir(ipc: Path, uid: int) -> None:
    """Give a slot's socket folder to that slot's sandbox uid alone: the connection file in it holds the key that
    authorises code execution in the kernel. Root, the grader, may enter anyway."""
    if os.geteuid() == 0:
        os.chown(ipc, uid, uid)
    ipc.chmod(0o700)


def default_exposed() -> list[str]:
    """Read-only paths a kernel needs: the interpreter, its environment and the ``course`` package."""
    import course

    paths = {sys.base_prefix, sys.prefix, str(Path(course.__file__).resolve().parent)}
    if data_home().is_dir():
        paths.add(str(data_home()))
    return sorted(paths)


def default_hidden(course_root: Path) -> list[str]:
    """Where secrets live: the course (source/, gradebook, every submission), the package's repo, homes, /tmp."""
    import course

    hidden = {"/tmp", "/root", "/home", "/var/tmp", str(course_root.resolve())}
    if unprivileged():  # the kernel keeps the grader's uid: what the grader owns must be out of sight
        hidden.add(str(Path.home()))
        if os.environ.get("NBGRADER_EXCHANGE"):
            hidden.add(os.environ["NBGRADER_EXCHANGE"])
    repo = Path(course.__file__).resolve().parent.parent
    if (repo / "source").exists() or (repo / "nbgrader_config.py").exists():
        hidden.add(str(repo))
    return sorted(p for p in hidden if Path(p).exists())


def install_kernelspec(kernels_dir: Path) -> Path:
    """A kernel spec that starts kernels through this module; put its parent on ``JUPYTER_PATH``."""
    spec_dir = kernels_dir / "kernels" / KERNEL_NAME
    spec_dir.mkdir(parents=True, exist_ok=True)
    spec = {
        "argv": [sys.executable, "-m", "course.grading.sandbox", "-f", "{connection_file}"],
        "display_name": "Python 3 (grading sandbox)",
        "language": "python",
        "interrupt_mode": "message",
    }
    (spec_dir / "kernel.json").write_text(json.dumps(spec, indent=1))
    return spec_dir


def command(cfg: SandboxConfig, connection_file: str, stage: Path, bwrap: str = "bwrap") -> list[str]:
    """The full argv that starts ipykernel inside the sandbox."""
    return wrap(cfg, [sys.executable, "-m", "ipykernel_launcher", "-f", connection_file], stage, bwrap)


def wrap(cfg: SandboxConfig, program: list[str], stage: Path, bwrap: str = "bwrap") -> list[str]:
    """The argv that runs ``program`` inside the sandbox, ``stage``'s non-notebook files in its working folder."""
    lim = cfg.limits
    argv = [bwrap, "--ro-bind", "/", "/", "--dev", "/dev", "--perms", "1777", "--tmpfs", "/dev/shm",
            "--proc", "/proc"]
    for path in cfg.hide:
        argv += ["--perms", "1777", "--tmpfs", path] if path == "/tmp" else ["--tmpfs", path]
    for path in cfg.expose:
        argv += ["--ro-bind", path, path]
    argv += ["--perms", "0777", "--size", str(lim.workdir_bytes), "--tmpfs", WORKDIR]
    for item in sorted(stage.iterdir()) if stage.is_dir() else []:
        if item.suffix != ".ipynb" and not item.name.startswith("."):
            argv += ["--ro-bind", str(item), f"{WORKDIR}/{item.name}"]
    ipc = Path(cfg.ipc_dir)
    for parent in reversed(ipc.parents):
        if any(parent != Path(h) and parent.is_relative_to(h) for h in cfg.hide):
            argv += ["--perms", "0755", "--dir", str(parent)]
    argv += ["--bind", cfg.ipc_dir, cfg.ipc_dir,
             "--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--die-with-parent",
             "--new-session", "--chdir", WORKDIR, "--clearenv"]
    env = {k: os.environ[k] for k in PASSTHROUGH_ENV if k in os.environ}
    env.update(HOME=WORKDIR, MPLCONFIGDIR=f"{WORKDIR}/.matplotlib", MPLBACKEND="Agg",
               PYTHONDONTWRITEBYTECODE="1", JOBLIB_MULTIPROCESSING="0")
    for key, value in sorted(env.items()):
        argv += ["--setenv", key, value]
    limits = ["prlimit", f"--as={lim.memory_bytes}", f"--cpu={lim.cpu_seconds}", f"--nproc={lim.processes}",
              f"--fsize={lim.file_bytes}", "--"]
    if unprivileged():
        return [*argv, "--unshare-user", "--disable-userns", "--", *limits, *program]
    return [*argv, "--", *limits, "setpriv", f"--reuid={cfg.uid}", f"--regid={cfg.uid}", "--clear-groups", "--",
            *program]


_SLOT_NUMBERS = itertools.count()


@dataclass
class Slot:
    """A sandbox of its own for one notebook graded outside ``course grade`` (nbgrader's ``autograde`` command, the
    formgrader's Autograde button): a scratch folder, a socket folder owned by a fresh uid, a config file."""

    scratch: Path
    config: SandboxConfig
    config_path: Path

    @classmethod
    def create(cls, course_root: Path, limits: Limits | None = None) -> Slot:
        check_available()
        scratch = Path(tempfile.mkdtemp(prefix="course-sandbox-"))
        scratch.chmod(0o755)
        ipc = scratch / "ipc"
        ipc.mkdir()
        uid = BASE_UID + 1000 * uid_block() + 500 + next(_SLOT_NUMBERS) % 500
        own_ipc_dir(ipc, uid)
        cfg = SandboxConfig(ipc_dir=str(ipc), hide=default_hidden(course_root), expose=default_exposed(), uid=uid,
                            limits=limits or Limits())
        return cls(scratch, cfg, cfg.write(scratch / "slot.json"))

    def configure(self, km) -> None:
        """Make a Jupyter kernel manager start its kernel in this sandbox and talk to it over ipc sockets."""
        from jupyter_client.kernelspec import KernelSpec

        km._kernel_spec = KernelSpec(argv=[sys.executable, "-m", "course.grading.sandbox",
                                           "--config", str(self.config_path), "-f", "{connection_file}"],
                                     display_name="Python 3 (grading sandbox)", language="python",
                                     interrupt_mode="message")
        km.transport = "ipc"
        km.ip = str(Path(self.config.ipc_dir) / "kernel")
        private = self.scratch / "private"
        private.mkdir(mode=0o700, exist_ok=True)
        km.connection_file = str(private / f"kernel-{uuid.uuid4().hex}.json")

    def remove(self) -> None:
        shutil.rmtree(self.scratch, ignore_errors=True)


def reap(uids: list[int] | range, timeout: float = 10.0) -> list[int]:
    """SIGKILL every process of these sandbox uids and wait until the kernel has released them; return the pids
    still there after ``timeout`` (zombies whose parent has not reaped them yet)."""
    import psutil

    wanted = set(uids)
    deadline = time.monotonic() + timeout
    while True:
        left = [p for p in psutil.process_iter(["uids"]) if p.info["uids"] and p.info["uids"].real in wanted]
        if not left or time.monotonic() > deadline:
            return [p.pid for p in left]
        for proc in left:
            with contextlib.suppress(psutil.Error):
                proc.kill()
        time.sleep(0.05)


def launch(connection_file: str, config_path: str | None = None, extra: list[str] | None = None) -> None:
    """Kernel spec entry point: copy the connection file where the sandbox can read it, then become bwrap."""
    cfg = SandboxConfig.read(config_path or os.environ[CONFIG_ENV])
    readable = Path(cfg.ipc_dir) / f"{Path(connection_file).stem}.json"
    shutil.copyfile(connection_file, readable)
    readable.chmod(0o600)
    if os.geteuid() == 0:
        os.chown(readable, cfg.uid, cfg.uid)
    argv = command(cfg, str(readable), Path.cwd(), shutil.which("bwrap") or "bwrap") + list(extra or [])
    os.execvp(argv[0], argv)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m course.grading.sandbox",
                                     description="Start a grading kernel in the sandbox (Jupyter does, not you).")
    parser.add_argument("-f", dest="connection_file", required=True)
    parser.add_argument("--config", help=f"the slot's JSON config (default: ${CONFIG_ENV})")
    args, rest = parser.parse_known_args()
    launch(args.connection_file, args.config, rest)

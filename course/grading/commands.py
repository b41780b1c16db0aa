"""Running nbgrader's commands: each one printed before it runs, all of them stopped together on SIGINT or SIGTERM.

nbgrader commands are forked from a server that imported nbgrader once (:mod:`course.grading.forked`), so a
command costs a fork, not a Python start-up and an nbgrader import.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import signal
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from course.config import Echo
from course.grading import forked

if TYPE_CHECKING:
    from course.grading.report import GradeRow


class GradingError(RuntimeError):
    """An nbgrader step failed in a way that stops the whole run (not one student's submission)."""


class GradingStopped(GradingError):
    """SIGINT or SIGTERM stopped the run; what was graded stays, the CSV lists the rest as not graded."""

    def __init__(self, signum: int, rows: list[GradeRow]):
        self.signum, self.rows = signum, rows
        missing = sum(r.status == "not graded" for r in rows)
        super().__init__(f"stopped by {signal.Signals(signum).name}: {len(rows) - missing} submission(s) graded, "
                         f"{missing} not graded (run the same command again to grade only those)")

    @property
    def exit_code(self) -> int:
        return 128 + self.signum


class Stopper:
    """Stops a run cleanly on SIGINT or SIGTERM: nothing new starts and every process it started dies at once.

    Its processes run in sessions of their own (a terminal's Ctrl-C must not reach half of them), so the signal is
    passed on by hand, as SIGKILL to each process group; each also carries a parent-death signal, so even a grader
    killed with ``kill -9`` takes them along. bubblewrap's ``--die-with-parent`` does the same for the kernels.
    """

    def __init__(self):
        self.signum: int | None = None
        self.server = forked.Server()
        self._running: set[forked.Command] = set()
        self._lock = threading.Lock()

    def nbgrader(self, args: list[str], cwd: Path, env: dict[str, str], log: Path,
                 memory_bytes: int | None = None):
        """Start ``nbgrader ARGS`` (:mod:`course.grading.forked`) unless the run is stopping."""
        with self._lock:
            if self.signum is not None:
                raise GradingStopped(self.signum, [])
            proc = self.server.start(args, cwd, env, log, memory_bytes)
            self._running.add(proc)
        return proc

    def finished(self, proc) -> None:
        with self._lock:
            self._running.discard(proc)

    @staticmethod
    def kill(proc: forked.Command) -> None:
        """SIGKILL to the process and its group (it may not have made its own group yet)."""
        for send, target in ((os.killpg, proc.pid), (os.kill, proc.pid)):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                send(target, signal.SIGKILL)

    def stop(self, signum: int, frame=None) -> None:
        with self._lock:
            self.signum = signum
            running = list(self._running)
        for proc in running:
            self.kill(proc)

    @contextlib.contextmanager
    def on_signals(self):
        """Handle SIGINT and SIGTERM while the run lasts (only the main thread may install handlers)."""
        if threading.current_thread() is not threading.main_thread():
            try:
                yield self
            finally:
                self.server.close()
            return
        previous = {sig: signal.signal(sig, self.stop) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            yield self
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            self.server.close()


def nbgrader_env() -> dict[str, str]:
    """The environment for nbgrader: this interpreter's ``bin/`` first on PATH (nbgrader shells out to alembic)."""
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    return env


def run_nbgrader(args: list[str], cwd: Path, echo: Echo | None = print, check: bool = True,
                 env: dict[str, str] | None = None, stopper: Stopper | None = None) -> subprocess.CompletedProcess:
    """Run ``nbgrader ARGS`` in the course root and return the completed process (output captured)."""
    if echo:
        echo(f"$ nbgrader {shlex.join(args)}")
    argv = [sys.executable, "-m", "nbgrader", *args]
    if stopper is None:
        proc = subprocess.run(argv, cwd=cwd, env={**nbgrader_env(), **(env or {})}, capture_output=True, text=True)
    else:
        with tempfile.TemporaryDirectory(prefix="course-nbgrader-") as tmp:
            log = Path(tmp) / "log"
            running = stopper.nbgrader(args, cwd, {**nbgrader_env(), **(env or {})}, log)
            try:
                running.wait()
            finally:
                stopper.finished(running)
            output = log.read_text(errors="replace") if log.exists() else ""
            proc = subprocess.CompletedProcess(argv, running.returncode, "", output)
        if stopper.signum is not None:
            raise GradingStopped(stopper.signum, [])
    if check and proc.returncode != 0:
        raise GradingError(f"`nbgrader {shlex.join(args)}` failed (exit {proc.returncode}):\n{_tail(proc.stderr)}")
    return proc


def _tail(text: str, lines: int = 25) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])

"""nbgrader commands in processes forked from a server that has imported nbgrader once.

Importing nbgrader (nbconvert, SQLAlchemy, Jupyter's server stack) costs seconds of CPU, about as much as a small
submission takes to grade. A grading run starts one server (``python -m course.grading.forked``) that imports it
and then forks a fresh process for every command it is sent. Each command still gets a process of its own, so a crash, a
memory cap or a kill touches one submission only; each runs in a session of its own and dies with the server, which
exits when the grader does (its stdin closes).

The protocol is one JSON object per line: requests ``{"id", "args", "cwd", "env", "log", "memory_bytes"}`` on the
server's stdin; ``{"id", "pid"}`` when a command started and ``{"id", "returncode"}`` when it ended on its stdout.
"""

from __future__ import annotations

import contextlib
import ctypes
import itertools
import json
import os
import resource
import select
import signal
import subprocess
import sys
import threading
from pathlib import Path

PRELOAD = ("nbgrader.apps.nbgraderapp", "nbgrader.apps.autogradeapp", "nbgrader.apps.generatefeedbackapp",
           "nbgrader.apps.generateassignmentapp", "course.grading.preprocessors")
PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def _child(request: dict) -> int:
    """In the forked process: become the command (never returns to the server's loop)."""
    os.setsid()
    _die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    if request.get("memory_bytes"):
        limit = int(request["memory_bytes"])
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    fd = os.open(request["log"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)
    from nbgrader.apps.nbgraderapp import NbGraderApp

    sys.argv = ["nbgrader", *request["args"]]
    try:
        NbGraderApp.launch_instance(argv=request["args"])
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:  # noqa: BLE001 - reported in the log, like an uncaught error of a CLI process
        import traceback

        traceback.print_exc()
        code = 1
    sys.stdout.flush()
    sys.stderr.flush()
    return code


def serve() -> None:
    """The server's loop: fork a command per request, report starts and ends, exit when stdin closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a Ctrl-C reaches the grader too, which decides
    for name in PRELOAD:
        __import__(name)
    _die_with_parent()
    out = os.fdopen(os.dup(1), "w", buffering=1)
    running: dict[int, str] = {}
    buffer = b""
    stdin_open = True
    while stdin_open or running:
        readable, _, _ = select.select([0] if stdin_open else [], [], [], 0.05)
        if readable:
            chunk = os.read(0, 65536)
            if not chunk:
                stdin_open = False
                for pid in running:
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(pid, signal.SIGKILL)
            buffer += chunk
            while b"\n" in buffer:
                line, buffer = buffer.split(b"\n", 1)
                request = json.loads(line)
                pid = os.fork()
                if pid == 0:
                    os.close(out.fileno())
                    devnull = os.open(os.devnull, os.O_RDONLY)
                    os.dup2(devnull, 0)
                    os._exit(_child(request))
                running[pid] = request["id"]
                out.write(json.dumps({"id": request["id"], "pid": pid}) + "\n")
        while running:
            pid, status = os.waitpid(-1, os.WNOHANG)
            if pid == 0:
                break
            if pid in running:
                out.write(json.dumps({"id": running.pop(pid), "returncode": os.waitstatus_to_exitcode(status)}) + "\n")


class Command:
    """One command the server runs; ``wait`` and ``pid`` as a :class:`subprocess.Popen`'s."""

    def __init__(self, ident: str):
        self.id, self.pid, self.returncode = ident, None, None
        self._started, self._ended = threading.Event(), threading.Event()

    def wait(self, timeout: float | None = None) -> int | None:
        self._ended.wait(timeout)
        return self.returncode


class Server:
    """The grader's handle on a running server (started lazily, shared by the run's threads)."""

    def __init__(self):
        self._proc: subprocess.Popen | None = None
        self._commands: dict[str, Command] = {}
        self._lock = threading.Lock()
        self._ids = itertools.count()

    def _ensure(self) -> subprocess.Popen:
        if self._proc is None or self._proc.poll() is not None:
            self._proc = subprocess.Popen([sys.executable, "-m", "course.grading.forked"], stdin=subprocess.PIPE,
                                          stdout=subprocess.PIPE, text=True, bufsize=1)
            threading.Thread(target=self._read, args=(self._proc,), daemon=True).start()
        return self._proc

    def _read(self, proc: subprocess.Popen) -> None:
        for line in proc.stdout:
            message = json.loads(line)
            command = self._commands.get(message["id"])
            if command is None:
                continue
            if "pid" in message:
                command.pid = message["pid"]
                command._started.set()
            else:
                command.returncode = message["returncode"]
                command._ended.set()
        for command in list(self._commands.values()):  # the server died: nothing it ran is still running
            if not command._ended.is_set():
                command.returncode = command.returncode if command.returncode is not None else -signal.SIGKILL
                command._started.set()
                command._ended.set()

    def start(self, args: list[str], cwd: Path, env: dict[str, str], log: Path,
              memory_bytes: int | None = None) -> Command:
        """Start ``nbgrader ARGS`` in ``cwd`` with exactly ``env``, output to ``log``; returns once it runs."""
        with self._lock:
            proc = self._ensure()
            command = Command(str(next(self._ids)))
            self._commands[command.id] = command
            proc.stdin.write(json.dumps({"id": command.id, "args": args, "cwd": str(cwd), "env": env,
                                         "log": str(log), "memory_bytes": memory_bytes}) + "\n")
        command._started.wait()
        return command

    def close(self) -> None:
        """Stop the server (it kills what still runs) and wait for it."""
        if self._proc is not None:
            with contextlib.suppress(BrokenPipeError, OSError):
                self._proc.stdin.close()
            self._proc.wait()


if __name__ == "__main__":
    serve()

"""nbgrader commands in processes forked from a server that has imported nbgrader once.

Importing nbgrader (nbconvert, SQLAlchemy, Jupyter's server stack) costs seconds of CPU, about as much as a small
submission takes to grade. A grading run starts one server (``python -m course.grading.forked``) that imports it
and then forks a fresh process for every command it is sent. Each command still gets a process of its own, so a crash, a
memory cap or a kill touches one submission only; each runs in a session of its own and dies with the server, which
exits when the grader does (its stdin closes).

Whatever a fork would redo is done once, before it (:func:`preload`): the imports of both commands, the gradebook
schema's revision found in-process, lexers and regular expressions compiled by rendering a small page while the
first command (registering the assignment) runs. Measured on chapter 01, 2 cores: 13.5 s before the first
submission started and 2.4 s of feedback per submission, down to 3.8 s and 1.5-2.0 s.

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
           "nbgrader.apps.generateassignmentapp", "course.grading.preprocessors", "course.grading.term",
           "IPython", "ipykernel.kernelspec", "sqlalchemy.dialects.sqlite.pysqlite", "psutil", "difflib")
#: rfc3987_syntax compiles 38 Lark grammars when imported (3.5 s here), only for jsonschema's "iri" format checks,
#: which no schema nbgrader validates against uses; jsonschema does without it when it is missing.
UNWANTED = ("rfc3987_syntax",)
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


def preload() -> None:
    """Import and warm up, once, what every command would otherwise pay for again in each forked process."""
    skip_unwanted()
    for name in PRELOAD:
        with contextlib.suppress(ImportError):
            __import__(name)
    import nbgrader.api

    nbgrader.api.get_alembic_version = alembic_head


def warm_up_feedback() -> None:
    """Render a small notebook to HTML as feedback is rendered: the modules this imports (lexers, Markdown plugins)
    and the regular expressions, CSS selectors and lexer tables it compiles stay ready in every process forked
    afterwards (0.4 s of a feedback page's 2.1 s here)."""
    from nbconvert import HTMLExporter
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

    error = new_output("error", ename="AssertionError", evalue="warm-up",
                       traceback=["\x1b[0;31mAssertionError\x1b[0m: warm-up"])
    image = new_output("display_data", data={"image/png": "iVBORw0KGgo=", "text/plain": "<Figure>"})
    cells = [new_markdown_cell("# Warm-up\n\nSome *text*, `code`, $x^2$ and a [link](https://example.org).\n\n"
                               "- a list\n\n| a | b |\n|---|---|\n| 1 | 2 |"),
             new_code_cell("import numpy as np\n\ndef f(x: int) -> int:\n    return x ** 2  # square\n",
                           outputs=[new_output("stream", text="out\n"), error, image], execution_count=1)]
    HTMLExporter().from_notebook_node(new_notebook(cells=cells, metadata={
        "language_info": {"name": "python", "pygments_lexer": "ipython3"}}))


def skip_unwanted() -> None:
    """Make :data:`UNWANTED` modules unimportable in this process, unless they were imported already."""
    for name in UNWANTED:
        sys.modules.setdefault(name, None)


def alembic_head() -> str:
    """The gradebook schema's revision, as ``nbgrader.api.get_alembic_version`` finds it, without its subprocess: that
    starts ``alembic``, which imports nbgrader all over again (4.5 s for every new gradebook)."""
    from alembic.script import ScriptDirectory
    from nbgrader.dbutil import ALEMBIC_DIR

    return ScriptDirectory(ALEMBIC_DIR).get_current_head()


def serve() -> None:
    """The server's loop: fork a command per request, report starts and ends, exit when stdin closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a Ctrl-C reaches the grader too, which decides
    out = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)  # anything else the server prints (a library's warning) must not land in the protocol
    preload()
    _die_with_parent()
    running: dict[int, str] = {}
    buffer = b""
    stdin_open = True
    warm = False
    while stdin_open or running:
        readable, _, _ = select.select([0] if stdin_open else [], [], [], 0.05)
        if not readable and running and not warm:  # idle while the first command (registering) runs
            warm = True
            with contextlib.suppress(Exception):
                warm_up_feedback()
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

    def open(self) -> None:
        """Start the server now, so that its imports overlap with the grader's own work before the first command."""
        with self._lock:
            self._ensure()

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

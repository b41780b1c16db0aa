"""Plain ``nbgrader autograde`` in the course directory and the formgrader's Autograde button (its HTTP API) are
sandboxed too: the sandbox is chosen by nbgrader_config.py's ``SafeExecute``, not by ``course grade``'s command line.

One hostile submission is graded both ways. Beside a correct answer it tries the network (a server on the grader's
loopback, and the internet), writing into the course, its ``source/`` and the host's ``/tmp``, reading the hidden
tests and editing the gradebook; it must earn exactly what its honest part earns, and nothing may get out.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import nbformat
import pytest

from course import grading
from course.chapters import chapters
from course.config import course_id

from .conftest import answer, sandbox_ok

pytestmark = [pytest.mark.grading, pytest.mark.kernel,
              pytest.mark.skipif(not sandbox_ok(), reason="bubblewrap cannot sandbox a kernel on this machine")]

HOSTILE = '''
import os, pathlib, socket, sqlite3, urllib.request
seen = {}
try:
    socket.create_connection(("1.1.1.1", 53), timeout=2).close()
    seen["network"] = "reachable"
except OSError:
    seen["network"] = "unreachable"
try:
    urllib.request.urlopen(URL, timeout=2).read()
    seen["loopback"] = "reachable"
except OSError:
    seen["loopback"] = "unreachable"
for name, path in {"course": COURSE / "pwned", "source": COURSE / "source" / "pwned", "host tmp": HOST_TMP}.items():
    try:
        pathlib.Path(path).write_text("x")
        seen[name] = "written"
    except OSError:
        seen[name] = "refused"
try:
    seen["hidden tests"] = "read" if "HIDDEN" in (COURSE / "source" / "01_first" / "01_first.ipynb").read_text() \\
        else "not there"
except OSError:
    seen["hidden tests"] = "unreadable"
try:
    db = sqlite3.connect(f"file:{COURSE / 'gradebook.db'}?mode=rw", uri=True)
    db.execute("UPDATE grade SET manual_score = 99")
    db.execute("CREATE TABLE pwned (x)")
    db.commit()
    seen["gradebook"] = "edited"
except sqlite3.Error:
    seen["gradebook"] = "refused"
print("SEEN", sorted(seen.items()))

def double(x):
    return 2 * x
'''


def _hostile_submission(root: Path, url: str, student: str = "mallory") -> str:
    """Write the hostile submission into ``submitted/``; return the host /tmp path it will try to write."""
    chapter = chapters(root)[0]
    host_tmp = f"/tmp/course-escape-{uuid.uuid4().hex}"
    code = f"COURSE = __import__('pathlib').Path({str(root)!r})\nHOST_TMP = {host_tmp!r}\nURL = {url!r}\n{HOSTILE}"
    nb = answer(nbformat.read(chapter.release, as_version=4), nbformat.read(chapter.source, as_version=4))
    next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "double").source = code
    target = root / "submitted" / student / "01_first"
    target.mkdir(parents=True)
    nbformat.write(nb, target / "01_first.ipynb")
    return host_tmp


def _assert_nothing_got_out(root: Path, host_tmp: str, hits: list[str], student: str = "mallory") -> None:
    graded = nbformat.read(root / "autograded" / student / "01_first" / "01_first.ipynb", as_version=4)
    printed = "".join(o.get("text", "") for c in graded.cells if c.cell_type == "code" for o in c.get("outputs", []))
    assert "SEEN" in printed, "the submission's code did not run"
    for what, expected in (("network", "unreachable"), ("loopback", "unreachable"), ("course", "refused"),
                           ("source", "refused"), ("gradebook", "refused")):
        assert f"('{what}', '{expected}')" in printed, printed
    assert "('hidden tests', 'read')" not in printed, printed
    assert "('host tmp', 'written')" in printed, "the sandbox has a private /tmp of its own"
    assert not (root / "pwned").exists() and not (root / "source" / "pwned").exists()
    assert not os.path.exists(host_tmp), "the sandbox's /tmp is not the host's"
    assert hits == [], "a sandboxed kernel reached the grader's loopback network"

    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{root / 'gradebook.db'}", course_id=course_id(root)) as gb:
        submission = gb.find_submission("01_first", student)
        assert submission.code_score == 2, "the answer itself is right: the honest part earns its points"
        assert all(g.manual_score is None for nb in submission.notebooks for g in nb.grades), \
            "a submission edited the gradebook"
    with sqlite3.connect(root / "gradebook.db") as db:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "pwned" not in tables, "a submission edited the gradebook"


def test_plain_nbgrader_autograde_runs_student_code_in_the_sandbox(toy, loopback_server):
    root = toy
    url, hits = loopback_server
    host_tmp = _hostile_submission(root, url)

    for args in (["generate_assignment", "01_first", "--force"], ["autograde", "01_first", "--create", "--force"]):
        proc = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=root, capture_output=True, text=True,
                              env=grading.nbgrader_env())
        assert proc.returncode == 0, proc.stderr[-3000:]

    _assert_nothing_got_out(root, host_tmp, hits)


@pytest.fixture
def formgrader(toy, tmp_path):
    """``jupyter server`` with nbgrader's formgrader over the toy course, on a free loopback port with a token."""
    config = tmp_path / "jupyter_server_config.py"
    config.write_text("c.ServerApp.jpserver_extensions = {'nbgrader.server_extensions.formgrader': True}\n")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    token = secrets.token_hex(16)
    log_path = tmp_path / "server.log"
    jupyter = Path(sys.executable).with_name("jupyter")
    with log_path.open("w") as log:
        proc = subprocess.Popen([str(jupyter), "server", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
                                 f"--ServerApp.token={token}", f"--ServerApp.root_dir={toy}", f"--config={config}",
                                 "--allow-root"], cwd=toy, env=grading.nbgrader_env(), stdout=log,
                                stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            _api(base, token, "GET", "/formgrader/api/status")
            break
        except OSError as exc:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail(f"the formgrader did not start ({exc}):\n{log_path.read_text()[-3000:]}")
            time.sleep(0.5)
    yield base, token, log_path
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _api(base: str, token: str, method: str, path: str, timeout: float = 10) -> dict:
    """One formgrader API call, authenticated by the server's token (a token-authenticated request needs no XSRF)."""
    request = urllib.request.Request(f"{base}{path}", method=method, data=b"" if method == "POST" else None,
                                     headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read() or b"null")


@pytest.mark.server
def test_the_formgrader_autograde_button_runs_student_code_in_the_sandbox(toy, formgrader, loopback_server):
    """What the formgrader's Autograde button sends: POST /formgrader/api/submission/ASSIGNMENT/STUDENT/autograde
    (nbgrader 0.9's formgrader apihandlers), after the assignment is generated into the gradebook through the API."""
    base, token, log_path = formgrader
    url, hits = loopback_server
    host_tmp = _hostile_submission(toy, url)

    assigned = _api(base, token, "POST", "/formgrader/api/assignment/01_first/assign", timeout=300)
    assert assigned["success"], assigned.get("error") or assigned.get("log")
    graded = _api(base, token, "POST", "/formgrader/api/submission/01_first/mallory/autograde", timeout=600)
    assert graded["success"], f"{graded.get('error')}\n{graded.get('log')}\n{log_path.read_text()[-3000:]}"

    _assert_nothing_got_out(toy, host_tmp, hits)
    submission = _api(base, token, "GET", "/formgrader/api/submission/01_first/mallory")
    assert submission["code_score"] == 2 and submission["autograded"], submission

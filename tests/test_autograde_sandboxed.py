"""Plain ``nbgrader autograde`` in the course directory (what the formgrader's Autograde button runs) is sandboxed
too: the sandbox is chosen by nbgrader_config.py's ``SafeExecute``, not by ``course grade``'s command line."""

from __future__ import annotations

import subprocess
import sys
import uuid

import nbformat
import pytest

from course import grading
from course.chapters import chapters
from course.config import course_id

from .conftest import answer, sandbox_ok

pytestmark = [pytest.mark.grading,
              pytest.mark.skipif(not sandbox_ok(), reason="bubblewrap cannot sandbox a kernel on this machine")]

HOSTILE = '''
import os, pathlib, socket
seen = {}
try:
    socket.create_connection(("1.1.1.1", 53), timeout=2).close()
    seen["network"] = "reachable"
except OSError:
    seen["network"] = "unreachable"
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
print("SEEN", sorted(seen.items()))

def double(x):
    return 2 * x
'''


def test_plain_nbgrader_autograde_runs_student_code_in_the_sandbox(toy):
    root = toy
    chapter = chapters(root)[0]
    host_tmp = f"/tmp/course-escape-{uuid.uuid4().hex}"
    code = f"COURSE = __import__('pathlib').Path({str(root)!r})\nHOST_TMP = {host_tmp!r}\n{HOSTILE}"
    nb = answer(nbformat.read(chapter.release, as_version=4), nbformat.read(chapter.source, as_version=4))
    next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "double").source = code
    target = root / "submitted" / "mallory" / "01_first"
    target.mkdir(parents=True)
    nbformat.write(nb, target / "01_first.ipynb")

    for args in (["generate_assignment", "01_first", "--force"], ["autograde", "01_first", "--create", "--force"]):
        proc = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=root, capture_output=True, text=True,
                              env=grading.nbgrader_env())
        assert proc.returncode == 0, proc.stderr[-3000:]

    graded = nbformat.read(root / "autograded" / "mallory" / "01_first" / "01_first.ipynb", as_version=4)
    printed = "".join(o.get("text", "") for c in graded.cells if c.cell_type == "code" for o in c.get("outputs", []))
    assert "SEEN" in printed, "the submission's code did not run"
    assert "('network', 'unreachable')" in printed and "('course', 'refused')" in printed, printed
    assert "('source', 'refused')" in printed and "('hidden tests', 'read')" not in printed, printed
    assert "('host tmp', 'written')" in printed, "the sandbox has a private /tmp of its own"
    assert not (root / "pwned").exists() and not (root / "source" / "pwned").exists()
    assert not __import__("os").path.exists(host_tmp), "the sandbox's /tmp is not the host's"

    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{root / 'gradebook.db'}", course_id=course_id(root)) as gb:
        assert gb.find_submission("01_first", "mallory").code_score == 2, "the answer itself is right"

"""Sharded grading into one PostgreSQL gradebook gives the grades one process gives."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
import pytest

from course import grading
from course.chapters import chapters

from .conftest import answer
from .test_registration import check_registering_waits_for_grading, check_registers_once_per_source
from .toy import make_course

pytestmark = [pytest.mark.grading, pytest.mark.postgres]


def _pg_bin(name: str) -> str | None:
    found = shutil.which(name) or next(iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)),
                                       None)
    return found


@pytest.fixture
def postgres():
    """A throwaway PostgreSQL server on a free loopback port, as the postgres user when run as root."""
    initdb, pg_ctl = _pg_bin("initdb"), _pg_bin("pg_ctl")
    if not initdb or not pg_ctl:
        pytest.skip("PostgreSQL server binaries not found; `make test` installs Debian's postgresql as root")
    home = Path(tempfile.mkdtemp(prefix="course-pg-"))  # pytest's tmp_path is private to root
    home.chmod(0o755)
    data = home / "data"
    data.mkdir()
    as_postgres: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(data, "postgres")
        as_postgres = ["runuser", "-u", "postgres", "--"]
    subprocess.run([*as_postgres, initdb, "-D", str(data), "-A", "trust", "-U", "postgres"], check=True,
                   capture_output=True)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    options = f"-p {port} -k {data} -c listen_addresses=127.0.0.1"
    subprocess.run([*as_postgres, pg_ctl, "-D", str(data), "-o", options, "-l", str(data / "log"), "-w", "start"],
                   check=True, capture_output=True)
    subprocess.run([*as_postgres, _pg_bin("createdb") or "createdb", "-h", "127.0.0.1", "-p", str(port),
                    "-U", "postgres", "grades"], check=True, capture_output=True)
    yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/grades"
    subprocess.run([*as_postgres, pg_ctl, "-D", str(data), "-m", "immediate", "stop"], capture_output=True)
    shutil.rmtree(home, ignore_errors=True)


def _class(folder, chapter, students: dict[str, str]):
    """Submissions: the solution, the blank release, or the solution with the test-able answer broken."""
    for student, kind in students.items():
        nb = nbformat.read(chapter.release, as_version=4)
        if kind != "blank":
            nb = answer(nb, nbformat.read(chapter.source, as_version=4))
        if kind == "wrong":
            nb.cells[3].source = "def double(x):\n    return x"
        (folder / student / chapter.slug).mkdir(parents=True)
        nbformat.write(nb, folder / student / chapter.slug / f"{chapter.slug}.ipynb")


def test_two_shards_into_postgres_match_one_process(tmp_path, postgres, monkeypatch):
    monkeypatch.setenv("NBGRADER_EXCHANGE", str(tmp_path / "exchange"))
    students = {"ada": "solved", "bo": "blank", "cy": "wrong", "di": "solved"}
    alone = make_course(tmp_path / "alone", {"01_first": "pass"})
    grading.release(chapters(alone), echo=None)
    _class(tmp_path / "subs", chapters(alone)[0], students)
    reference = grading.grade(tmp_path / "subs", alone, chapters(alone),
                              grading.GradeOptions(jobs=1, sandbox=False), echo=None)
    expected = {r.student: (r.score, r.autograded_score) for r in reference}
    assert expected["ada"] == (2, 2) and expected["bo"] == (0, 0) and expected["cy"] == (0, 0)

    shared = make_course(tmp_path / "shared", {"01_first": "pass"})
    grading.release(chapters(shared), echo=None)
    shards = [subprocess.Popen([sys.executable, "-m", "course.cli", "grade", str(tmp_path / "subs"),
                                "--course-dir", str(shared), "--db", postgres, "--shard", f"{i}/2", "--jobs", "1",
                                "--unsafe", "--csv", str(tmp_path / f"shard{i}.csv")],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
              for i in (1, 2)]
    outputs = []
    for proc in shards:
        out, _ = proc.communicate(timeout=600)
        assert proc.returncode == 0, out
        outputs.append(out)
    registrations = sum("nbgrader generate_assignment" in out for out in outputs)
    assert registrations == 1, f"{registrations} shards registered the assignment: a late one races the other's grading"

    from nbgrader.api import Gradebook

    with Gradebook(postgres, course_id="dl-course") as gb:
        got = {s.student_id: (s.score, s.code_score) for s in gb.find_assignment("01_first").submissions}
    assert got == expected


def test_registration_in_postgres_is_exclusive_grading_shared(tmp_path, postgres):
    check_registers_once_per_source(postgres, tmp_path)
    check_registering_waits_for_grading(postgres, tmp_path)

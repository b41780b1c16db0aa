"""The grader's fork server: what it preloads changes nothing a command computes, only how long it takes."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.grading


def test_the_in_process_alembic_head_is_the_one_nbgrader_finds(monkeypatch):
    import nbgrader.api

    from course.grading import forked
    from course.grading.commands import nbgrader_env

    monkeypatch.setenv("PATH", nbgrader_env()["PATH"])  # nbgrader's own lookup starts `alembic` from PATH
    assert forked.alembic_head() == nbgrader.api.get_alembic_version()


def test_preloading_patches_the_alembic_lookup_and_leaves_out_rfc3987_syntax():
    code = ("from course.grading import forked; forked.preload(); import sys, jsonschema, nbgrader.api; "
            "assert sys.modules['rfc3987_syntax'] is None; "
            "assert nbgrader.api.get_alembic_version is forked.alembic_head; "
            "assert jsonschema.Draft7Validator({'type': 'object'}).is_valid({})")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


def test_a_forked_command_runs_and_reports_its_exit_code(tmp_path):
    from course.grading import forked

    server = forked.Server()
    server.open()
    try:
        env = dict(os.environ)
        ok = server.start(["--version"], tmp_path, env, tmp_path / "ok.log")
        bad = server.start(["generate_assignment", "no-such-assignment"], tmp_path, env, tmp_path / "bad.log")
        assert ok.wait(60) == 0 and bad.wait(60) != 0
    finally:
        server.close()
    assert (tmp_path / "ok.log").read_text().strip()

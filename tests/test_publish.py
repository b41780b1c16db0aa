"""The learner copy holds no solution and no hidden test, and still works on its own."""

from __future__ import annotations

import subprocess
import sys

import pytest

from course import cli
from course.grading import publish

from .conftest import ROOT


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    return publish.publish(ROOT, tmp_path_factory.mktemp("public") / "course")


def test_no_solution_or_hidden_test_line_is_published(published):
    secrets = publish.secret_lines(ROOT)
    assert sum(map(len, secrets.values())) > 50, "expected many solution and hidden-test lines to look for"
    leaks = publish.leaks(ROOT, published)
    assert not leaks, "published copy leaks:\n" + "\n".join(leaks[:10])


def test_a_later_chapter_showing_an_earlier_chapters_answers_is_a_leak_unless_declared(published, monkeypatch):
    monkeypatch.setattr(publish, "REVEALS", {})
    leaks = publish.leaks(ROOT, published)
    assert leaks and all(ln.startswith("release/05_training_deep_networks/") and "(from 04_backprop_mlp)" in ln
                         for ln in leaks), leaks
    assert any("self.mask = x > 0" in ln for ln in leaks)


def test_a_hidden_test_copied_into_another_file_is_found(published, tmp_path):
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(published, copy)
    secret = sorted(publish.secret_lines(ROOT)["01_linear_algebra"])[0]
    (copy / "tests" / "notes.md").write_text(f"look:\n    {secret}\n")
    assert publish.leaks(ROOT, copy) == [f"tests/notes.md: {secret}   (from 01_linear_algebra)"]


def test_published_copy_has_what_a_learner_needs_and_nothing_else(published):
    names = {p.name for p in published.iterdir()}
    assert {"release", "course", "README.md", "pyproject.toml", "environment.yml", "Makefile", "tests"} <= names
    assert not {"source", "autograder", "benchmarks"} & names
    assert not (published / "course" / "grading").exists(), "the grader stays with the instructor"
    assert (published / "course" / "check.py").is_file()
    readme = (published / "README.md").read_text()
    assert "make lab" in readme and "For learners" in readme and "For instructors" not in readme
    assert sorted(p.name for p in (published / "release").iterdir()) == \
        sorted(p.name for p in (ROOT / "release").iterdir())


def test_published_tests_pass_without_solutions(published):
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_check.py",
                           "tests/test_hygiene.py", "tests/test_data.py"], cwd=published, capture_output=True,
                          text=True)
    assert proc.returncode == 0, proc.stdout[-3000:]


def test_publish_refuses_to_overwrite(tmp_path, capsys, monkeypatch):
    (tmp_path / "dest").mkdir()
    (tmp_path / "dest" / "keep.txt").write_text("mine")
    monkeypatch.chdir(ROOT)
    assert cli.main(["publish", str(tmp_path / "dest")]) == 2
    assert "not empty" in capsys.readouterr().err

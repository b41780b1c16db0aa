"""The learner copy holds no solution and no hidden test, and still works on its own."""

from __future__ import annotations

import subprocess
import sys

import pytest

from course import cli, publish

from .conftest import ROOT

TEXT_SUFFIXES = {".py", ".ipynb", ".md", ".txt", ".toml", ".yml", ".yaml", ".cfg", ""}


def _lines(path):
    """Every line of a file, stripped, as grep would see them (a notebook's lines are its cells' lines)."""
    if path.suffix == ".ipynb":
        import nbformat

        text = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells)
    else:
        text = path.read_text(errors="replace")
    return {line.strip() for line in text.splitlines()}


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    return publish.publish(ROOT, tmp_path_factory.mktemp("public") / "course")


def test_no_solution_or_hidden_test_line_is_published(published):
    secrets = publish.secret_lines(ROOT)
    assert len(secrets) > 50, "expected many solution and hidden-test lines to look for"
    leaks = []
    for path in published.rglob("*"):
        if path.is_file() and path.suffix in TEXT_SUFFIXES:
            leaks += [f"{path.relative_to(published)}: {line}" for line in sorted(secrets & _lines(path))]
    assert not leaks, "published copy leaks:\n" + "\n".join(leaks[:10])


def test_published_copy_has_what_a_learner_needs_and_nothing_else(published):
    names = {p.name for p in published.iterdir()}
    assert {"release", "course", "README.md", "pyproject.toml", "environment.yml", "Makefile", "tests"} <= names
    assert not {"source", "autograder", "benchmarks"} & names
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

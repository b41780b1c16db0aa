"""The learner-facing copy of the course: everything but solutions, hidden tests and the grader.

``source/`` holds solutions and hidden tests, so the instructor's repository stays private; ``course publish DEST``
writes the public one (release notebooks, the learner's side of the ``course`` package, environment files, a
learner README and the tests that make sense without solutions). :func:`secret_lines` is what must never appear in
it, except where a chapter gives away an earlier chapter's answers on purpose (:data:`REVEALS`).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import nbformat

from course import cells

COPY = ["release", "course", "pyproject.toml", "constraints.txt", "environment.yml", "Makefile", "LICENSE",
        ".gitignore", ".ci", "nbgrader_config.py"]
LEARNER_TESTS = ["__init__.py", "conftest.py", "toy.py", "test_check.py", "test_data.py", "test_device.py",
                 "test_envs.py", "test_plot.py", "test_widgets.py", "test_train.py", "test_notebooks.py",
                 "test_hygiene.py"]
KEEP_SECTIONS = ("Quick start", "For learners")
LEFT_OUT = ("__pycache__", "*.pyc", ".ipynb_checkpoints", "grading")
# Chapter 05 trains networks built from chapter 04's layers, so its release shows chapter 04's answers (Dense, ReLU,
# SoftmaxCrossEntropy, Sequential) rather than asking learners to paste their own, possibly wrong, ones: release 05
# after 04 is due (the schedule in nbgrader_config.py does).
REVEALS = {"05_training_deep_networks": {"04_backprop_mlp"}}


def learner_readme(readme: str) -> str:
    """The README's title, quick start and learner section, with a note on where this copy comes from."""
    parts = re.split(r"(?m)^## ", readme)
    kept = [parts[0]] + [f"## {p}" for p in parts[1:] if p.startswith(KEEP_SECTIONS)]
    note = ("## About this copy\n\nThis is the learner's edition of the course, published from the instructors' "
            "private repository with `course publish`: it holds the exercises, never their solutions or hidden "
            "tests. `make test` checks the helper package and the notebooks' structure.\n")
    return "".join(kept).rstrip() + "\n\n" + note


def publish(root: Path, dest: Path, force: bool = False) -> Path:
    """Write the learner copy of the course at ``root`` into ``dest`` (which must be empty unless ``force``)."""
    if dest.exists() and any(dest.iterdir()):
        if not force:
            raise FileExistsError(f"{dest} is not empty; pass --force to replace its contents")
        shutil.rmtree(dest)
    dest.mkdir(parents=True, exist_ok=True)
    ignore = shutil.ignore_patterns(*LEFT_OUT)
    for name in COPY:
        src = root / name
        if src.is_dir():
            shutil.copytree(src, dest / name, ignore=ignore)
        elif src.is_file():
            shutil.copy2(src, dest / name)
    (dest / "tests").mkdir()
    for name in LEARNER_TESTS:
        if (root / "tests" / name).exists():
            shutil.copy2(root / "tests" / name, dest / "tests" / name)
    (dest / "README.md").write_text(learner_readme((root / "README.md").read_text()))
    return dest


def secret_lines(root: Path, min_length: int = 12) -> dict[str, set[str]]:
    """Per chapter, the lines of its solutions and hidden tests that learners have not been shown already.

    Shown already: lines of the chapter's own release notebook, of an earlier chapter's (learners had those first:
    a later chapter's answer may well share a line such as ``loss.backward()``), and of the learner's side of the
    ``course`` package (public by design: a standard ``optimizer.step()`` in its training loop is no answer). A
    later chapter's release showing one of them is a leak unless :data:`REVEALS` declares it.
    """
    package = {line.strip() for path in (root / "course").rglob("*.py") if "grading" not in path.parts
               for line in path.read_text().splitlines()}
    shown = {path.parent.name: _lines(path) for path in sorted((root / "release").glob("*/*.ipynb"))}
    secrets: dict[str, set[str]] = {}
    for path in sorted((root / "source").glob("*/*.ipynb")):
        chapter = path.parent.name
        earlier = set().union(*(lines for slug, lines in shown.items() if slug <= chapter))
        hidden = {line.strip() for cell in nbformat.read(path, as_version=4).cells
                  for line in cells.region_lines(cell.source)}
        secrets[chapter] = {line for line in hidden if len(line) >= min_length} - earlier - package
    return secrets


def leaks(root: Path, published: Path) -> list[str]:
    """``FILE: line`` for every secret line of ``root``'s chapters found in the copy at ``published``."""
    secrets = secret_lines(root)
    found = []
    for path in sorted(published.rglob("*")):
        if not path.is_file() or path.suffix not in TEXT_SUFFIXES:
            continue
        rel = path.relative_to(published)
        allowed = REVEALS.get(rel.parts[1], set()) if rel.parts[0] == "release" and len(rel.parts) > 2 else set()
        lines = _lines(path)
        for chapter, secret in secrets.items():
            if chapter not in allowed:
                found += [f"{rel}: {line}   (from {chapter})" for line in sorted(secret & lines)]
    return found


TEXT_SUFFIXES = {".py", ".ipynb", ".md", ".txt", ".toml", ".yml", ".yaml", ".cfg", ""}


def _lines(path: Path) -> set[str]:
    """Every line of a file, stripped, as grep would see them (a notebook's lines are its cells' lines)."""
    if path.suffix == ".ipynb":
        text = "\n".join(cell.source for cell in nbformat.read(path, as_version=4).cells)
    else:
        text = path.read_text(errors="replace")
    return {line.strip() for line in text.splitlines()}

"""The learner-facing copy of the course: everything but solutions and hidden tests.

``source/`` holds solutions and hidden tests, so the instructor's repository stays private; ``course publish DEST``
writes the public one (release notebooks, the ``course`` package, environment files, a learner README and the tests
that make sense without solutions). :func:`secret_lines` is what must never appear in it.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import nbformat

COPY = ["release", "course", "pyproject.toml", "constraints.txt", "environment.yml", "Makefile", "LICENSE",
        ".gitignore", ".ci", "nbgrader_config.py"]
LEARNER_TESTS = ["__init__.py", "conftest.py", "toy.py", "test_check.py", "test_data.py", "test_device.py",
                 "test_envs.py", "test_plot.py", "test_widgets.py", "test_train.py", "test_notebooks.py",
                 "test_hygiene.py"]
KEEP_SECTIONS = ("Quick start", "For learners")
REGIONS = (("### BEGIN SOLUTION", "### END SOLUTION"), ("### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"))


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
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints")
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


def secret_lines(root: Path, min_length: int = 12) -> set[str]:
    """Lines of solutions and hidden tests in ``source/`` that the student version does not show anyway.

    Lines the release notebooks show, or that the ``course`` package itself contains (it is public by design: a
    standard ``optimizer.step()`` in its training loop is not a chapter's answer), do not count.
    """
    public: set[str] = set()
    for path in (root / "release").rglob("*.ipynb"):
        for cell in nbformat.read(path, as_version=4).cells:
            public.update(line.strip() for line in cell.source.splitlines())
    for path in (root / "course").rglob("*.py"):
        public.update(line.strip() for line in path.read_text().splitlines())
    secrets: set[str] = set()
    for path in (root / "source").rglob("*.ipynb"):
        for cell in nbformat.read(path, as_version=4).cells:
            inside = None
            for line in cell.source.splitlines():
                begin = next((end for start, end in REGIONS if start in line), None)
                if begin:
                    inside = begin
                elif inside and inside in line:
                    inside = None
                elif inside and len(line.strip()) >= min_length and line.strip() not in public:
                    secrets.add(line.strip())
    return secrets

"""The repository's own promises: one dependency set, pinned CI installs, ignored outputs, two commands."""

import ast
import importlib.metadata
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import tomllib
import yaml

ROOT = Path(__file__).resolve().parents[1]
CONDA_NAMES = {"pytorch": "torch"}


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[ ;]", requirement.strip(), maxsplit=1)[0].lower()


def _spec(requirement: str) -> str:
    return requirement.strip()[len(_name(requirement)):].replace(" ", "")


def test_environment_yml_has_the_same_dependencies_as_pyproject():
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = [d for d in env["dependencies"] if isinstance(d, str) and not d.startswith(("python", "pip"))]
    from_conda = {CONDA_NAMES.get(_name(d), _name(d)): _spec(d) for d in conda}
    from_pyproject = {_name(d): _spec(d) for d in deps}
    assert from_conda == from_pyproject
    assert {"pip": ["-e ."]} in env["dependencies"]


def _imports(code: str) -> set[str]:
    code = "\n".join(line for line in code.splitlines() if not line.lstrip().startswith(("%", "!")))
    found = set()
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def test_every_package_a_notebook_imports_is_a_declared_dependency():
    """A package that only arrives as someone else's dependency (sympy with torch) can vanish in any upgrade."""
    declared = {_name(d).replace("_", "-") for d in tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
                ["dependencies"]}
    distributions = importlib.metadata.packages_distributions()
    for path in sorted((ROOT / "source").glob("*/*.ipynb")):
        code = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code")
        for module in _imports(code) - set(sys.stdlib_module_names) - {"course"}:
            names = {d.lower() for d in distributions.get(module, [module])}
            assert names & declared, f"{path.name} imports {module} ({', '.join(names)}): add it to pyproject.toml"


def test_constraints_pin_everything_and_torch_is_the_local_cpu_build():
    pins = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, version = line.split("==")
            pins[name.lower().replace("_", "-")] = version
    assert pins["torch"] == "2.13.0"
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    for dep in project["dependencies"] + project["optional-dependencies"]["dev"]:
        assert _name(dep).replace("_", "-") in pins, f"{dep} has no pin in constraints.txt"


def test_generated_files_are_ignored():
    ignored = (ROOT / ".gitignore").read_text().split()
    for entry in ("submitted/", "autograded/", "feedback/", "gradebook.db", "outputs/", ".venv/"):
        assert entry in ignored


def test_readme_starts_with_the_two_commands_and_ci_runs_the_second():
    readme = (ROOT / "README.md").read_text()
    commands = re.findall(r"^make (\w+)", readme, flags=re.M)
    assert commands[:2] == ["lab", "test"]
    for section in ("Learners", "Instructors", "CI"):
        assert re.search(rf"^## .*{section}", readme, flags=re.M | re.I), f"README needs a section for {section}"
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_workflow_runs_cpu_and_gpu_with_device_checks():
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "notebooks.yml").read_text())
    job = workflow["jobs"]["notebooks"]
    devices = {entry["device"] for entry in job["strategy"]["matrix"]["include"]}
    assert devices == {"cpu", "cuda"}
    gpu = next(e for e in job["strategy"]["matrix"]["include"] if e["device"] == "cuda")
    assert "gpu" in gpu["runs-on"]
    steps = " ".join(step.get("run", "") for step in job["steps"])
    assert "course run" in steps and "--expect-device" in steps and "make test" in steps


def test_ruff_is_clean():
    proc = subprocess.run([sys.executable, "-m", "ruff", "check", "course", "tests", "autograder", "hub",
                           "nbgrader_config.py"], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def _course_imports(path: Path) -> set[str]:
    """The ``course...`` modules a file imports, statically (``from course import x`` counts as ``course.x``)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("course")}
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("course"):
            found |= {node.module} | {f"{node.module}.{a.name}" for a in node.names}
    return found


def test_the_learners_package_never_imports_the_grader():
    """Two rooms: what a notebook imports must work in the learner's published copy, which has no course/grading/."""
    package = ROOT / "course"
    for path in sorted(package.glob("*.py")):
        grader = {m for m in _course_imports(path) if m == "course.grading" or m.startswith("course.grading.")}
        assert not grader, f"{path.relative_to(ROOT)} imports {sorted(grader)}: only course/grading/ may"


def test_importing_the_package_stays_instant():
    """A notebook's first cell imports course: torch, nbgrader and pyplot load only where a function needs them."""
    code = ("import sys, course, course.check, course.data, course.plot, course.widgets; "
            "heavy = sorted({'torch', 'nbgrader', 'matplotlib.pyplot', 'papermill'} & set(sys.modules)); "
            "print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "[]", f"`import course` pulls in {out.stdout.strip()}"

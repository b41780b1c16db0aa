"""A local JupyterHub for the course: ``make hub`` runs ``up``, ``make hub-clean`` runs ``clean`` (both as root).

nbgrader's "one class, one grader" set-up on one machine, on loopback only:

- real OS accounts (``useradd``): one instructor and three learners, each with a random password that PAM checks
  (printed at start and kept in ``ROOT/state/passwords``, readable by root only), homes in ``ROOT/home`` (mode 700);
- the shared exchange ``ROOT/exchange`` with nbgrader's permissions (everyone may write, plus the sticky bit so
  nobody renames a course folder they do not own); nbgrader itself makes ``inbound`` write-only for learners;
- the instructor's course directory ``~instructor/dl-course`` (a copy of ``nbgrader_config.py``, ``source/`` and
  ``release/``), the formgrader for the instructor only, the Assignments panel and Validate for everyone;
- everything this created is listed in ``ROOT/.dl-course-hub`` and removed by ``clean`` (accounts that existed
  before are never touched: ``up`` refuses to adopt them).

``hub/jupyterhub_config.py`` is the hub's configuration; it reads what ``up`` wrote to ``ROOT/state/hub.json``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import pwd
import secrets
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

HUB_DIR = Path(__file__).resolve().parent
REPO = HUB_DIR.parent
MARKER = ".dl-course-hub"
DEFAULT_ROOT = Path("/srv/dl-course-hub")
# nbgrader's lab plugins a learner does not get (the formgrader's server extension is off for them too).
INSTRUCTOR_ONLY_PLUGINS = ["@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment",
                           "@jupyter/nbgrader:course-list"]


def accounts(prefix: str, learners: int = 3) -> dict[str, str]:
    """Account name -> role."""
    names = {f"{prefix}instructor": "instructor"}
    names.update({f"{prefix}learner{i}": "learner" for i in range(1, learners + 1)})
    return names


def _exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


def _course_id(course: Path, exchange: Path) -> str:
    from traitlets.config.loader import PyFileConfigLoader

    os.environ["NBGRADER_EXCHANGE"] = str(exchange)  # the course's config creates its exchange folder otherwise
    cfg = PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()
    return cfg.CourseDirectory.get("course_id", "default_course")


def _chown_tree(path: Path, uid: int, gid: int) -> None:
    os.chown(path, uid, gid)
    for base, dirs, files in os.walk(path):
        for name in dirs + files:
            os.chown(os.path.join(base, name), uid, gid, follow_symlinks=False)


def _write(path: Path, text: str, mode: int = 0o644) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(mode)


def _role_config(root: Path, role: str, exchange: Path, course_id: str, course_dir: Path | None) -> Path:
    """The Jupyter config folder of a role (on JUPYTER_CONFIG_PATH, ahead of the environment's own config)."""
    folder = root / "config" / role
    lines = ["c = get_config()  # noqa: F821", f"c.Exchange.root = {str(exchange)!r}",
             "c.Exchange.path_includes_course = True", f"c.CourseDirectory.course_id = {course_id!r}"]
    if course_dir is not None:  # the formgrader grades in the course directory, with the course's own settings
        lines += [f"c.CourseDirectory.root = {str(course_dir)!r}",
                  f"load_subconfig({str(course_dir / 'nbgrader_config.py')!r})  # noqa: F821"]
    _write(folder / "nbgrader_config.py", "\n".join(lines) + "\n")
    instructor = role == "instructor"
    extensions = {"nbgrader.server_extensions.formgrader": instructor,
                  "nbgrader.server_extensions.course_list": instructor,
                  "nbgrader.server_extensions.assignment_list": True,
                  "nbgrader.server_extensions.validate_assignment": True}
    _write(folder / "jupyter_server_config.json",
           json.dumps({"ServerApp": {"jpserver_extensions": extensions}}, indent=1) + "\n")
    disabled = {} if instructor else {plugin: True for plugin in INSTRUCTOR_ONLY_PLUGINS}
    _write(folder / "labconfig" / "page_config.json", json.dumps({"disabledExtensions": disabled}, indent=1) + "\n")
    return folder


def _visible(course_pkg: Path) -> tuple[list[str], list[str]]:
    """What a user's server must see of this environment (``expose``) inside folders it must not see (``hide``):
    the interpreter and the environment under private folders (pyenv in /root, a CI runner's home), the environment
    and the ``course`` package inside checkouts of this repository, whose ``source/`` holds the solutions."""
    expose = sorted({sys.base_prefix, sys.prefix, str(course_pkg)})
    hide = set()
    for path in expose:
        for parent in Path(path).parents:
            private = not parent.stat().st_mode & 0o001  # others cannot pass through
            checkout = (parent / "source").is_dir() and (parent / "nbgrader_config.py").exists()
            if parent != Path("/") and (private or checkout):
                hide.add(str(parent))
    outermost = {h for h in hide if not any(Path(h).is_relative_to(other) for other in hide - {h})}
    return sorted(outermost), expose


def up(args) -> int:
    root: Path = args.root.resolve()
    marker = root / MARKER
    if root.exists() and any(root.iterdir()) and not marker.exists():
        sys.exit(f"{root} exists and was not made by `make hub`; choose another HUB_ROOT")
    names = accounts(args.prefix)
    record = json.loads(marker.read_text()) if marker.exists() else {"accounts": []}
    for name in names:
        if _exists(name) and name not in record["accounts"]:
            sys.exit(f"account {name!r} already exists and was not created by `make hub`: set HUB_PREFIX")
    chp = HUB_DIR / "node_modules" / ".bin" / "configurable-http-proxy"
    if not chp.exists():
        sys.exit(f"{chp} is missing: `make hub` installs it (npm ci --prefix hub)")
    for tool, package in (("useradd", "passwd"), ("userdel", "passwd"), ("chpasswd", "passwd"),
                          ("unshare", "util-linux"), ("setpriv", "util-linux"), ("mount", "mount"),
                          ("bwrap", "bubblewrap: the formgrader's Autograde runs submissions in its sandbox")):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} is missing: apt-get install {package}")

    root.mkdir(parents=True, exist_ok=True)
    root.chmod(0o755)
    marker.write_text(json.dumps(record))
    state, homes, exchange = root / "state", root / "home", root / "exchange"
    state.mkdir(mode=0o700, exist_ok=True)
    homes.mkdir(exist_ok=True)
    homes.chmod(0o755)
    exchange.mkdir(exist_ok=True)
    exchange.chmod(0o1777)  # nbgrader: `chmod ugo+rwx`; the sticky bit, as on /tmp, keeps others' folders in place

    passwords_file = state / "passwords"
    passwords = json.loads(passwords_file.read_text()) if passwords_file.exists() else {}
    for name in names:
        if not _exists(name):
            subprocess.run(["useradd", "--create-home", "--home-dir", str(homes / name), "--shell", "/bin/bash",
                            "--user-group", name], check=True)
            record["accounts"].append(name)
            marker.write_text(json.dumps(record))
            passwords.pop(name, None)
        if name not in passwords:
            passwords[name] = secrets.token_urlsafe(12)
            subprocess.run(["chpasswd"], input=f"{name}:{passwords[name]}\n", text=True, check=True)
        (homes / name).chmod(0o700)
    _write(passwords_file, json.dumps(passwords, indent=1) + "\n", 0o600)

    course = args.course.resolve()
    course_id = _course_id(course, exchange)
    instructor = next(n for n, role in names.items() if role == "instructor")
    entry = pwd.getpwnam(instructor)
    course_dir = Path(entry.pw_dir) / course_id
    if not course_dir.exists():  # the instructor's own copy: kept across restarts, with its gradebook
        course_dir.mkdir()
        shutil.copy2(course / "nbgrader_config.py", course_dir / "nbgrader_config.py")
        for folder in ("source", "release"):
            if (course / folder).is_dir():
                shutil.copytree(course / folder, course_dir / folder,
                                ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
        _chown_tree(course_dir, entry.pw_uid, entry.pw_gid)
    configs = {"instructor": _role_config(root, "instructor", exchange, course_id, course_dir),
               "learner": _role_config(root, "learner", exchange, course_id, None)}

    import course as course_pkg

    hide, expose = _visible(Path(course_pkg.__file__).resolve().parent)
    stage = state / "stage"
    stage.mkdir(exist_ok=True)
    for i in range(len(expose)):
        (stage / str(i)).mkdir(exist_ok=True)
    settings = {
        "ip": "127.0.0.1", "port": args.port, "state": str(state), "exchange": str(exchange),
        "users": names, "configs": {role: str(path) for role, path in configs.items()},
        "python": sys.executable, "path": f"{Path(sys.executable).parent}:{chp.parent}:{os.environ['PATH']}",
        "hide": hide, "expose": expose, "stage": str(stage), "course_id": course_id,
        # a worktree's package over the environment's (tests), and the course's own switches
        "env": {k: os.environ[k] for k in ("PYTHONPATH", "COURSE_SMOKE", "OMP_NUM_THREADS", "MKL_NUM_THREADS",
                                           "OPENBLAS_NUM_THREADS", "COURSE_DATA") if k in os.environ},
    }
    _write(state / "hub.json", json.dumps(settings, indent=1) + "\n", 0o600)
    _write(state / "hub.pid", f"{os.getpid()}\n", 0o600)

    url = f"http://127.0.0.1:{args.port}"
    print(f"JupyterHub for {course_id}: {url}  (state in {root}; `make hub-clean` removes it all)")
    for name, role in names.items():
        print(f"  {role:10} {name:16} password {passwords[name]}")
    sys.stdout.flush()
    argv = [str(Path(sys.executable).with_name("jupyterhub")), "-f", str(HUB_DIR / "jupyterhub_config.py")]
    env = {**os.environ, "DL_COURSE_HUB_STATE": str(state), "PATH": settings["path"]}
    os.chdir(state)
    os.execve(argv[0], argv, env)  # the hub replaces this process: Ctrl-C stops it, `hub.pid` is its pid


def _kill(pids: list[int], timeout: float = 10) -> None:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and any(_alive(p) for p in pids):
        time.sleep(0.2)
    for pid in pids:
        if _alive(pid):
            os.kill(pid, signal.SIGKILL)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie of ours counts as gone
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] != "Z"
    except (OSError, IndexError):
        return False


def _pids_of(uid: int) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if entry.stat().st_uid == uid:
                    pids.append(int(entry.name))
            except OSError:
                pass
    return pids


def clean(args) -> int:
    root: Path = args.root.resolve()
    marker = root / MARKER
    if not marker.exists():
        print(f"nothing to clean: {root} was not made by `make hub`")
        return 0
    record = json.loads(marker.read_text())
    state = root / "state"
    pids = []
    for pidfile in (state / "hub.pid", state / "jupyterhub-proxy.pid"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            pids.append(int(pidfile.read_text().split()[0]))
    _kill([p for p in pids if _alive(p)])
    for name in record["accounts"]:
        try:
            entry = pwd.getpwnam(name)
        except KeyError:
            continue
        _kill(_pids_of(entry.pw_uid))  # its servers and kernels, one by one
        subprocess.run(["userdel", name], check=True)
        print(f"removed account {name}")
    shutil.rmtree(root)
    print(f"removed {root}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="hub/hub.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["up", "clean"])
    parser.add_argument("--root", type=Path, default=Path(os.environ.get("HUB_ROOT", DEFAULT_ROOT)),
                        help="where accounts' homes, the exchange and the hub's state live (default %(default)s)")
    parser.add_argument("--port", type=int, default=int(os.environ.get("HUB_PORT", 8000)))
    parser.add_argument("--prefix", default=os.environ.get("HUB_PREFIX", ""), help="prefix of the account names")
    parser.add_argument("--course", type=Path, default=REPO, help="the course directory the instructor starts from")
    args = parser.parse_args(argv)
    if os.geteuid() != 0:
        sys.exit("the hub creates OS accounts and starts servers as them: run it as root (sudo make hub)")
    return up(args) if args.command == "up" else clean(args)


if __name__ == "__main__":
    sys.exit(main())

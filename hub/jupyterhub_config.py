"""JupyterHub configuration of `make hub` (hub/hub.py writes the settings it reads: ROOT/state/hub.json).

nbgrader's "one class, one grader": the instructor grades in their own server's formgrader; learners fetch, validate
and submit from JupyterLab's Assignments panel; both meet on a shared exchange. Several classes on one hub follow
nbgrader's "multiple classes" layout instead: one course directory and one grader account per class, each
formgrader a hub service (README, "For instructors").
"""

import json
import os
import shlex
from pathlib import Path

from jupyterhub.spawner import LocalProcessSpawner, _try_setcwd

c = get_config()  # noqa: F821 - injected by traitlets
hub = json.loads((Path(os.environ["DL_COURSE_HUB_STATE"]) / "hub.json").read_text())
state = Path(hub["state"])

# Loopback only; the proxy (configurable-http-proxy from hub/node_modules) and the hub on ports of their own.
c.JupyterHub.bind_url = f"http://{hub['ip']}:{hub['port']}"
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.db_url = f"sqlite:///{state / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(state / "jupyterhub_cookie_secret")
c.ConfigurableHTTPProxy.pid_file = str(state / "jupyterhub-proxy.pid")
c.JupyterHub.cleanup_servers = True


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


c.JupyterHub.hub_port = _free_port()  # the hub's API, for the proxy and the users' servers
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{_free_port()}"

# Who may log in: the OS accounts `make hub` created, checked by PAM against the passwords it set (printed at start).
# PAM, not a dummy authenticator: the name a learner logs in with is the OS account whose uid owns their files and
# submissions on the exchange, as on a real server, and it works offline.
c.JupyterHub.authenticator_class = "pam"
c.Authenticator.allowed_users = set(hub["users"])
# No hub admins: an admin could open the learners' servers; the instructor needs only their own (the formgrader).
c.PAMAuthenticator.open_sessions = False


class CourseSpawner(LocalProcessSpawner):
    """A local process as the user, in a mount namespace of its own that shows this environment (the interpreter,
    the virtual environment, the `course` package) and hides the checkout's solutions and root's home.

    `unshare` makes the namespace, a shell mounts (as root) and `setpriv` becomes the user, each `exec`-ing the next:
    the pid the hub signals is the server's own.
    """

    def make_preexec_fn(self, name):
        home = self.user_env({})["HOME"]
        return lambda: _try_setcwd(home)  # stays root until setpriv, after the mounts

    def get_env(self):
        env = super().get_env()
        role = hub["users"][self.user.name]
        env.update(hub["env"])
        env.update(PATH=hub["path"], NBGRADER_EXCHANGE=hub["exchange"], JUPYTER_CONFIG_PATH=hub["configs"][role],
                   SHELL="/bin/bash")
        if role == "instructor":  # the formgrader's Autograde runs submissions in the course's grading sandbox,
            env["COURSE_SANDBOX_UNPRIVILEGED"] = "1"  # here without root: a user namespace (grading/sandbox.py)
        return env


def _namespace_script() -> str:
    stage = Path(hub["stage"])
    lines = ["set -e", "umask 022"]
    for i, path in enumerate(hub["expose"]):
        lines.append(f"mount --bind {shlex.quote(path)} {stage / str(i)}")
    for path in hub["hide"]:
        lines.append(f"mount -t tmpfs -o mode=0755,size=1m tmpfs {shlex.quote(path)}")
    for i, path in enumerate(hub["expose"]):
        q = shlex.quote(path)
        lines += [f"mkdir -p {q}", f"mount --bind {stage / str(i)} {q}", f"mount -o remount,bind,ro {q}",
                  f"umount {stage / str(i)}"]
    lines.append('exec setpriv --reuid="$(id -u "$USER")" --regid="$(id -g "$USER")" --init-groups -- "$@"')
    return "\n".join(lines)


c.JupyterHub.spawner_class = CourseSpawner
c.Spawner.cmd = ["unshare", "--mount", "--propagation", "private", "--", "/bin/sh", "-c", _namespace_script(),
                 "course-hub-server", hub["python"], "-m", "jupyterhub.singleuser"]
c.Spawner.default_url = "/lab"
c.Spawner.http_timeout = 180  # a 2-core machine, busy: a first JupyterLab start takes a while
c.Spawner.start_timeout = 180
c.Spawner.args = ["--ServerApp.log_level=INFO"]

"""deploy/, checked offline: the Kubernetes manifests against the Kubernetes JSON schemas (PyPI's
``kubernetes-validate``, which ships them), the grading Job's command line against ``course grade``'s own parser,
and the Zero to JupyterHub values structurally (no schema of the chart is available offline): the keys the
deployment relies on, the hub hook run with stand-in spawners, and the Jupyter configuration it mounts loaded by
Jupyter itself."""

from __future__ import annotations

import copy
import json
import os
import stat
import subprocess
import sys
import types
from pathlib import Path

import pytest
import yaml

from course import cli, grading
from course.config import course_id

from .conftest import ROOT

kubernetes_validate = pytest.importorskip("kubernetes_validate", reason="kubernetes-validate (a dev dependency)")

DEPLOY = ROOT / "deploy"
# The oldest Kubernetes the Job's per-index retries are generally available in, and the newest the validator knows.
KUBERNETES = ["1.33.0", kubernetes_validate.latest_version()]


def _documents(path: Path) -> list[dict]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc]


def _manifests() -> dict[str, dict]:
    return {f"{path.name}:{doc['kind']}/{doc['metadata']['name']}": doc
            for path in sorted((DEPLOY / "k8s").glob("*.yaml")) for doc in _documents(path)}


def _job() -> dict:
    return next(doc for doc in _manifests().values() if doc["kind"] == "Job")


def _values() -> dict:
    return yaml.safe_load((DEPLOY / "jupyterhub" / "values.yaml").read_text())


@pytest.mark.parametrize("version", KUBERNETES)
@pytest.mark.parametrize("name", sorted(_manifests()))
def test_every_manifest_is_valid_kubernetes(name, version):
    """Strict: an unknown field fails too, not only a wrong type or a missing required one."""
    kubernetes_validate.validate(_manifests()[name], version, strict=True)


def test_the_validator_rejects_what_kubernetes_would():
    job = copy.deepcopy(_job())
    job["spec"]["completionsMode"] = job["spec"].pop("completionMode")  # a typo
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(job, KUBERNETES[0], strict=True)
    job = copy.deepcopy(_job())
    job["spec"]["completions"] = "four"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(job, KUBERNETES[0], strict=True)


def _env(container: dict) -> dict:
    return {e["name"]: e.get("value", e.get("valueFrom")) for e in container.get("env", [])}


def test_the_grading_job_runs_every_shard_once_through_course_grade(tmp_path):
    """Run the Job's shell script for every completion index with ``course`` and ``chown`` stubbed; parse what it
    would run with ``course``'s own parser; the shards it selects cover every student exactly once."""
    job = _job()
    spec, pod = job["spec"], job["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    env = _env(container)
    shards = int(env["SHARDS"])
    assert spec["completionMode"] == "Indexed" and spec["completions"] == spec["parallelism"] == shards
    assert env["GRADEBOOK_URL"] == {"secretKeyRef": {"name": "dl-course-gradebook", "key": "url"}}

    stubs = tmp_path / "bin"
    stubs.mkdir()
    for tool in ("course", "chown"):
        (stubs / tool).write_text('#!/bin/sh\nprintf "%s\\n" "$COURSE_SANDBOX_UID_BLOCK" "$@" '
                                  f'> "$OUT/{tool}-$JOB_COMPLETION_INDEX"\n')
        (stubs / tool).chmod(stat.S_IRWXU)
    parser = cli.build_parser()
    students = [f"s{i:03d}" for i in range(23)]
    seen: list[str] = []
    for index in range(shards):
        run_env = {**{k: v for k, v in env.items() if isinstance(v, str)}, "PATH": f"{stubs}:{os.environ['PATH']}",
                   "JOB_COMPLETION_INDEX": str(index), "OUT": str(tmp_path),
                   "GRADEBOOK_URL": "postgresql+psycopg://grader@db/gradebook"}
        proc = subprocess.run([*container["command"], *container["args"]], env=run_env, capture_output=True, text=True)
        assert proc.returncode == 0, proc.stderr
        block, *argv = (tmp_path / f"course-{index}").read_text().splitlines()
        assert block == str(index), "each shard's sandbox uids are its own"
        args = parser.parse_args(argv)
        assert args.command == "grade" and args.submissions == "/srv/course/submitted"
        assert args.course_dir == "/srv/course" and args.db == "postgresql+psycopg://grader@db/gradebook"
        assert args.shard == f"{index + 1}/{shards}" and args.jobs == int(env["JOBS"]) and not args.unsafe
        assert args.csv == f"/srv/course/grades-shard-{index + 1}-of-{shards}.csv", "shards never share a CSV"
        recursive, owner, *paths = (tmp_path / f"chown-{index}").read_text().splitlines()[1:]
        assert recursive == "-R" and owner == env["COURSE_OWNER"] and args.csv in paths
        subs = [grading.Submission(s, "01_first", tmp_path) for s in students]
        seen += [s.student for s in grading.select_shard(subs, *map(int, args.shard.split("/")))]
    assert sorted(seen) == students, "every student is graded by exactly one shard"

    requests = container["resources"]["requests"]
    assert int(requests["cpu"]) >= int(env["JOBS"]), "a core per kernel"
    limit_gib = int(container["resources"]["limits"]["memory"].removesuffix("Gi"))
    assert limit_gib * 2**30 > int(env["JOBS"]) * grading.GradeOptions().limits.memory_bytes, \
        "room for JOBS kernels at their address-space limit"
    assert container["securityContext"] == {"privileged": True, "runAsUser": 0}, "the sandbox needs root"


def test_the_volumes_the_deployment_mounts_are_shared_claims():
    claims = {doc["metadata"]["name"]: doc for doc in _manifests().values() if doc["kind"] == "PersistentVolumeClaim"}
    assert all(c["spec"]["accessModes"] == ["ReadWriteMany"] for c in claims.values()), "mounted by many pods"
    job_claims = {v["persistentVolumeClaim"]["claimName"] for v in _job()["spec"]["template"]["spec"]["volumes"]}
    values = _values()
    hub_claims = {v["persistentVolumeClaim"]["claimName"] for v in values["singleuser"]["storage"]["extraVolumes"]}
    assert job_claims == {values["custom"]["course"]["courseClaim"]} and hub_claims == {"dl-course-exchange"}
    assert job_claims | hub_claims == set(claims)


# Zero to JupyterHub keys this deployment sets, each one the chart documents (its values schema, chart 4.x).
Z2JH_KEYS = {
    "": {"hub", "singleuser", "custom"},
    "hub": {"extraConfig"},
    "singleuser": {"image", "cmd", "defaultUrl", "fsGid", "extraEnv", "storage", "initContainers", "networkPolicy",
                   "extraFiles"},
    "singleuser.image": {"name", "tag"},
    "singleuser.storage": {"type", "capacity", "homeMountPath", "extraVolumes", "extraVolumeMounts"},
    "singleuser.networkPolicy": {"enabled", "egressAllowRules"},
    "singleuser.networkPolicy.egressAllowRules": {"privateIPs"},
}


def test_the_helm_values_use_only_keys_the_chart_knows():
    values = _values()
    for path, known in Z2JH_KEYS.items():
        node = values
        for part in filter(None, path.split(".")):
            node = node[part]
        assert set(node) == known, f"{path or 'top level'}: {sorted(set(node) ^ known)}"
    single = values["singleuser"]
    assert single["storage"]["type"] == "dynamic" and isinstance(single["fsGid"], int)
    assert all(isinstance(v, str) for v in single["extraEnv"].values())
    for name, spec in single["extraFiles"].items():
        assert set(spec) == {"mountPath", "stringData"} and spec["mountPath"].startswith("/"), name
    for name, code in values["hub"]["extraConfig"].items():
        compile(code, f"hub.extraConfig.{name}", "exec")
    mounts = {m["name"]: m["mountPath"] for m in single["storage"]["extraVolumeMounts"]}
    assert mounts == {"dl-course-exchange": single["extraEnv"]["NBGRADER_EXCHANGE"]}


def test_the_helm_values_validate_against_the_charts_own_schema():
    """With the chart at hand (``helm pull jupyterhub/jupyterhub --untar``, then ``Z2JH_CHART=jupyterhub``): these
    values merged over the chart's defaults, as helm merges them, against the chart's own values schema."""
    import jsonschema

    chart = os.environ.get("Z2JH_CHART")
    if not chart:
        pytest.skip("no Zero to JupyterHub chart offline: set Z2JH_CHART to an unpacked chart to check its schema")
    chart_dir = Path(chart)
    schema_path = next((chart_dir / name for name in ("values.schema.json", "values.schema.yaml")
                        if (chart_dir / name).exists()), None)
    assert schema_path, f"{chart_dir} holds no values.schema.json"
    schema = yaml.safe_load(schema_path.read_text())
    defaults = yaml.safe_load((chart_dir / "values.yaml").read_text())

    def merged(base, over):
        out = copy.deepcopy(base)
        for key, value in over.items():
            both = isinstance(value, dict) and isinstance(out.get(key), dict)
            out[key] = merged(out[key], value) if both else copy.deepcopy(value)
        return out

    validator = jsonschema.Draft7Validator(schema)
    errors = [f"{'.'.join(map(str, e.path))}: {e.message}" for e in validator.iter_errors(merged(defaults, _values()))]
    assert errors == []


class _Spawner:
    """What the hook touches of KubeSpawner, with the chart's defaults for these traits."""

    def __init__(self, name: str, environment: dict):
        self.user = types.SimpleNamespace(name=name)
        self.uid, self.environment, self.extra_labels = 1000, dict(environment), {}
        self.volumes, self.volume_mounts = [{"name": "home"}], [{"name": "home", "mountPath": "/home/jovyan"}]


def _hook():
    """hub.extraConfig run as the hub runs it: ``c`` and the chart's ``z2jh.get_config`` over these values."""
    from traitlets.config import Config

    values = _values()

    def get_config(key, default=None):
        node = values
        for part in key.split("."):
            node = node.get(part, default) if isinstance(node, dict) else default
        return node

    c = Config()
    sys.modules["z2jh"] = types.SimpleNamespace(get_config=get_config)
    try:
        for code in values["hub"]["extraConfig"].values():
            exec(compile(code, "hub.extraConfig", "exec"), {"c": c})
    finally:
        del sys.modules["z2jh"]
    return c, values


def test_the_hub_gives_the_course_and_the_gradebook_to_instructors_only():
    c, values = _hook()
    course, single = values["custom"]["course"], values["singleuser"]
    assert c.Authenticator.allowed_users == set(course["learners"]) | set(course["instructors"])
    hook = c.KubeSpawner.pre_spawn_hook
    files = {spec["mountPath"]: spec["stringData"] for spec in single["extraFiles"].values()}

    for name, uid in course["learners"].items():
        spawner = _Spawner(name, single["extraEnv"])
        hook(spawner)
        assert spawner.uid == uid and spawner.extra_labels == {"dl-course/role": "learner"}
        assert spawner.environment["JUPYTER_CONFIG_PATH"] == "/etc/jupyter/learner"
        assert spawner.volumes == [{"name": "home"}] and len(spawner.volume_mounts) == 1, \
            "no course volume, no gradebook secret"

    (name, uid), = course["instructors"].items()
    spawner = _Spawner(name, single["extraEnv"])
    hook(spawner)
    assert spawner.uid == uid and spawner.extra_labels == {"dl-course/role": "instructor"}
    assert spawner.environment["JUPYTER_CONFIG_PATH"] == "/etc/jupyter/instructor"
    mounts = {m["name"]: m["mountPath"] for m in spawner.volume_mounts}
    volumes = {v["name"]: v for v in spawner.volumes}
    assert volumes["dl-course-course"]["persistentVolumeClaim"]["claimName"] == course["courseClaim"]
    assert volumes["dl-course-gradebook"]["secret"]["secretName"] == course["gradebookSecret"]
    nbgrader = files["/etc/jupyter/instructor/nbgrader_config.py"]
    assert f'c.CourseDirectory.root = "{mounts["dl-course-course"]}"' in nbgrader
    assert f'open("{mounts["dl-course-gradebook"]}/url")' in nbgrader, "the secret's key is url, as the Job's"

    owner_uid, owner_gid = _env(_job()["spec"]["template"]["spec"]["containers"][0])["COURSE_OWNER"].split(":")
    assert (int(owner_uid), int(owner_gid)) == (uid, single["fsGid"]), "the Job hands its output to the instructor"
    with pytest.raises(ValueError, match="roster"):
        hook(_Spawner("stranger", single["extraEnv"]))


def test_only_instructors_get_the_formgrader(tmp_path):
    """The files the chart mounts, loaded by Jupyter Server, JupyterLab and nbgrader themselves: the learners'
    configuration turns the formgrader off over the environment's own (which turns it on), the instructors' on."""
    values = _values()
    for spec in values["singleuser"]["extraFiles"].values():
        target = tmp_path / spec["mountPath"].lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        text = spec["stringData"]
        target.write_text(text.replace("/etc/dl-course/gradebook/url", str(tmp_path / "url")))
    (tmp_path / "url").write_text("postgresql+psycopg://instructor@db/gradebook\n")
    probe = """
import json, os, sys
from jupyter_server.serverapp import ServerApp
from jupyterlab_server.config import get_static_page_config
from nbgrader.coursedir import CourseDirectory
from traitlets.config.loader import PyFileConfigLoader
seen = {}
for role in ("learner", "instructor"):
    folder = os.path.join(sys.argv[1], "etc", "jupyter", role)
    os.environ["JUPYTER_CONFIG_PATH"] = folder
    app = ServerApp()
    app.find_server_extensions()
    disabled = get_static_page_config().get("disabledExtensions", {})
    config = PyFileConfigLoader("nbgrader_config.py", path=folder).load_config()
    coursedir = CourseDirectory(config=config)
    seen[role] = {"formgrader": app.jpserver_extensions.get("nbgrader.server_extensions.formgrader"),
                  "lab": {k: v for k, v in disabled.items() if k.startswith("@jupyter/nbgrader")},
                  "course_id": coursedir.course_id, "db_url": coursedir.db_url, "root": coursedir.root,
                  "exchange": config.Exchange.root}
print(json.dumps(seen))
"""
    proc = subprocess.run([sys.executable, "-c", probe, str(tmp_path)], capture_output=True, text=True, timeout=300,
                          cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    seen = json.loads(proc.stdout.strip().splitlines()[-1])
    learner, instructor = seen["learner"], seen["instructor"]
    assert learner["formgrader"] is False and instructor["formgrader"] is True
    lab = {"@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment"}
    assert {k for k, v in learner["lab"].items() if v} == lab and not any(instructor["lab"].values())
    exchange = values["singleuser"]["extraEnv"]["NBGRADER_EXCHANGE"]
    assert learner["course_id"] == instructor["course_id"] == course_id(ROOT)
    assert learner["exchange"] == instructor["exchange"] == exchange
    assert instructor["db_url"] == "postgresql+psycopg://instructor@db/gradebook"
    assert instructor["root"] == "/home/jovyan/course"
    assert learner["db_url"].startswith("sqlite:///"), "learners have no gradebook URL, only nbgrader's default"


def test_the_readme_shows_the_deploy_commands():
    readme = (ROOT / "README.md").read_text()
    for path in ("deploy/jupyterhub/values.yaml", "deploy/k8s/grade-job.yaml", "deploy/k8s/volumes.yaml",
                 "deploy/k8s/network-policy.yaml", "deploy/Dockerfile"):
        assert path in readme and (ROOT / path).exists(), path
    assert "--shard" in readme and "COURSE_SANDBOX_UID_BLOCK" in readme

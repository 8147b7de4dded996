"""The recipes for grading in shards (deploy/grading/): valid where they run, and each shard gets its
own index, the gradebook from a secret, and the submissions read-only where the sandbox hides them."""
import os
import stat
import subprocess
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

from mlpapers.paths import ROOT

DEPLOY = ROOT / "deploy" / "grading"
JOB = DEPLOY / "kubernetes" / "grading-job.yaml"
SECRET = DEPLOY / "kubernetes" / "gradebook-secret.yaml"
SBATCH = DEPLOY / "slurm" / "grade-shards.sbatch"
# Indexed Jobs with backoffLimitPerIndex are GA from 1.33; the newest schema the validator ships too.
KUBERNETES_VERSIONS = ("1.33.0", kubernetes_validate.latest_version())


def _stub_python(folder: Path) -> Path:
    """A stand-in for the course's python that records how it was called and what it sees."""
    stub = folder / "python"
    stub.write_text("#!/bin/sh\n"
                    'echo "$@" > "$RECORD/args"\n'
                    'echo "$MLPAPERS_ROOT" > "$RECORD/root"\n'
                    'ls "$MLPAPERS_ROOT/grading/submitted" > "$RECORD/submitted"\n'
                    '(touch "$MLPAPERS_ROOT/grading/submitted/x" 2>/dev/null && echo writable || echo read-only)'
                    ' > "$RECORD/mode"\n')
    stub.chmod(stub.stat().st_mode | stat.S_IXUSR)
    return stub


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_the_kubernetes_manifests_are_valid_against_the_api_schema(version):
    for path in (JOB, SECRET):
        for doc in yaml.safe_load_all(path.read_text()):
            kubernetes_validate.validate(doc, version, strict=True)  # raises on any unknown or wrong field
    # and the validator does reject what the API server would: a misspelt field, a wrong type
    job = yaml.safe_load(JOB.read_text())
    job["spec"]["completionsMode"] = job["spec"].pop("completionMode")
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(job, version, strict=True)
    job = yaml.safe_load(JOB.read_text())
    job["spec"]["completions"] = "ten"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(job, version, strict=True)


def test_the_job_runs_one_shard_per_index_with_the_gradebook_from_the_secret(tmp_path):
    job = yaml.safe_load(JOB.read_text())
    secret = yaml.safe_load(SECRET.read_text())
    spec, pod = job["spec"], job["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    command = container["command"]
    shards = spec["completions"]
    assert spec["completionMode"] == "Indexed" and spec["parallelism"] == shards
    assert f'--shard "${{JOB_COMPLETION_INDEX}}/{shards}"' in command[-1], "the N of --shard is not completions"
    env = {e["name"]: e for e in container["env"]}
    ref = env["COURSE_DB_URL"]["valueFrom"]["secretKeyRef"]
    assert (ref["name"], ref["key"]) == (secret["metadata"]["name"], next(iter(secret["stringData"])))
    assert container["securityContext"]["privileged"] and pod["automountServiceAccountToken"] is False
    root = env["MLPAPERS_ROOT"]["value"]
    mounts = {m["mountPath"]: m for m in container["volumeMounts"]}
    assert mounts[f"{root}/grading/submitted"].get("readOnly") is True  # below grading/: hidden from kernels
    assert f"{root}/grading" in mounts and env["MLPAPERS_SCRATCH"]["value"] in mounts
    volumes = {v["name"]: v for v in pod["volumes"]}
    assert volumes[mounts[f"{root}/grading/submitted"]["name"]]["persistentVolumeClaim"]["readOnly"] is True

    # The container's command, with the course's python replaced by the stub, for pod 7.
    record = tmp_path / "record"
    record.mkdir()
    (tmp_path / "course" / "grading" / "submitted").mkdir(parents=True)
    script = command[-1].replace("/course/.venv/bin/python", str(_stub_python(tmp_path)))
    subprocess.run(command[:-1] + [script], check=True, env=dict(
        os.environ, JOB_COMPLETION_INDEX="7", RECORD=str(record), MLPAPERS_ROOT=str(tmp_path / "course")))
    assert (record / "args").read_text().split() == ["-m", "mlpapers", "autograde", "--shard", f"7/{shards}"]


@pytest.mark.skipif(os.geteuid() != 0, reason="the Slurm recipe grades as root (bind mount, sandbox)")
def test_the_slurm_array_task_grades_its_shard_on_a_local_root_with_the_submissions_read_only(tmp_path):
    submitted = tmp_path / "shared" / "submitted"
    (submitted / "alice").mkdir(parents=True)
    record = tmp_path / "record"
    record.mkdir()
    env = dict(os.environ, COURSE=str(ROOT), PYTHON=str(_stub_python(tmp_path)), SUBMITTED=str(submitted),
               COURSE_DB_URL="postgresql+psycopg2://grader@db/gradebook", RECORD=str(record),
               SCRATCH_BASE=str(tmp_path / "node"), SLURM_ARRAY_JOB_ID="4242", SLURM_ARRAY_TASK_ID="13",
               SLURM_ARRAY_TASK_MIN="10", SLURM_ARRAY_TASK_COUNT="6", SLURM_ARRAY_TASK_STEP="1")
    proc = subprocess.run(["bash", str(SBATCH)], env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert (record / "args").read_text().split() == ["-m", "mlpapers", "autograde", "--shard", "3/6"]
    local = Path((record / "root").read_text().strip())
    assert local.is_relative_to(tmp_path / "node") and local != ROOT
    assert (record / "submitted").read_text().split() == ["alice"]
    assert (record / "mode").read_text().strip() == "read-only"
    assert not local.exists(), "the task's local course root is removed when it ends"
    assert not (submitted / "x").exists()


def test_the_slurm_recipe_refuses_without_a_gradebook_or_an_array(tmp_path):
    base = dict(os.environ, COURSE=str(ROOT), PYTHON="/bin/false")
    base.pop("COURSE_DB_URL", None)
    proc = subprocess.run(["bash", str(SBATCH)], env=base, capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0 and "COURSE_DB_URL" in proc.stderr
    proc = subprocess.run(["bash", str(SBATCH)], env=dict(base, COURSE_DB_URL="postgresql://x@y/z",
                                                          SLURM_ARRAY_TASK_ID="0"),
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0 and "not an array job" in proc.stderr

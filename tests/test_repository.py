"""Set-up files agree: pins, Makefile targets, the CI entry point, workflows, README, nbgrader config."""
import re
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

from mlpapers.paths import ROOT
from mlpapers.readme import render


def _pins(lines):
    return {m.group(1).lower(): m.group(2) for m in (re.match(r"\s*-?\s*\"?([A-Za-z0-9_.-]+)==([^\"\s,]+)", l) for l in lines) if m}


def test_pyproject_and_environment_yml_pin_the_same_versions():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    py = _pins(project["dependencies"] + project["optional-dependencies"]["dev"])
    env_text = (ROOT / "environment.yml").read_text()
    env = _pins(env_text.splitlines())
    assert py == env
    assert py["torch"] == "2.13.0" and py["nbgrader"] == "0.9.6" and py["papermill"] == "2.7.0"
    assert "python=3.11" in env_text


def test_make_help_lists_every_target():
    out = subprocess.run(["make", "-s", "help"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    for target in ("setup", "lab", "update", "test", "release", "solutions", "validate", "check",
                   "autograde", "feedback", "readme", "leaks", "hand-out", "collect", "test-deps"):
        assert re.search(rf"make {target}\s", out), target


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    assert re.search(r"^make lab\b", readme, re.M) and re.search(r"^make test\b", readme, re.M)
    assert (ROOT / ".ci" / "run").read_text().strip().splitlines()[-1] == "make test"


def test_readme_course_map_is_current():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert render(readme) == readme, "README course map is stale: run `make readme`"


def test_workflows_pass_actionlint():
    lint = Path(sys.executable).with_name("actionlint")
    proc = subprocess.run([str(lint)], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    gpu = (ROOT / ".github" / "workflows" / "gpu.yml").read_text()
    assert "runs-on: [self-hosted, gpu]" in gpu and "make solutions DEVICE=cuda" in gpu
    assert "upload-artifact" in gpu


def test_plain_nbgrader_in_the_repo_root_reads_grader_config():
    """An instructor's plain `nbgrader release_assignment` of one problem uses the course id and
    folders of grader_config.py (through nbgrader_config.py)."""
    with tempfile.TemporaryDirectory() as tmp:
        proc = subprocess.run(
            [str(Path(sys.executable).with_name("nbgrader")), "release_assignment", "173_haar_rotation",
             "--CourseDirectory.release_directory=release/turboquant", f"--Exchange.root={tmp}"],
            cwd=ROOT, capture_output=True, text=True)
        assert proc.returncode == 0, proc.stderr[-2000:]
        out = Path(tmp, "mlpapers", "outbound", "173_haar_rotation")
        released = sorted(p.name for p in (ROOT / "release" / "turboquant" / "173_haar_rotation").iterdir())
        assert "173_haar_rotation.ipynb" in released
        assert sorted(p.name for p in out.iterdir()) == released, proc.stderr[-2000:]


def test_notebooks_folder_is_in_a_fresh_clone_with_a_readme():
    tracked = subprocess.run(["git", "ls-files", "notebooks"], cwd=ROOT, capture_output=True, text=True).stdout.split()
    assert tracked == ["notebooks/README.md"]
    assert "make lab" in (ROOT / "notebooks" / "README.md").read_text()


def test_make_test_installs_what_it_needs_and_ci_runs_only_make_test():
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^test: \$\(STAMP\) test-deps ", makefile, re.M)
    script = (ROOT / "tools" / "test-deps.sh").read_text()
    for need in ("/usr/bin/chromium", "postgresql-15", "configurable-http-proxy"):
        assert need in script, need
    run = [l for l in (ROOT / ".ci" / "run").read_text().splitlines() if l.strip() and not l.startswith("#")]
    assert run[-1] == "make test" and not any("apt-get" in l or "npm" in l for l in run)

"""Sandbox uids are unique on the host while a kernel runs, whatever the batch, and freed after."""
import os
import subprocess
import sys

import pytest

from mlpapers.grader import sandbox

pytestmark = pytest.mark.skipif(sandbox.isolation_level() != "namespaces",
                                reason="the sandbox gives kernels uids of their own only as root")


def test_two_holders_never_share_a_uid_and_leftovers_are_killed():
    with sandbox.unique_uid() as first, sandbox.unique_uid() as second:
        assert first != second
        assert sandbox.UID_BASE <= first < sandbox.UID_BASE + sandbox.UID_SPAN
        # a process left running under the first uid, as a kernel's daemon would be
        sleeper = subprocess.Popen(["sleep", "600"], user=first, group=first, start_new_session=True)
        assert sandbox.processes_of(first) == [sleeper.pid]
    assert sleeper.wait(timeout=10) != 0  # killed when the uid was freed
    assert sandbox.processes_of(first) == []


def test_a_uid_with_a_live_process_is_never_handed_out(monkeypatch):
    busy = sandbox.UID_BASE + 7
    sleeper = subprocess.Popen(["sleep", "600"], user=busy, group=busy, start_new_session=True)
    try:
        monkeypatch.setattr(sandbox.secrets, "randbelow", lambda n: 7)  # the first candidate is busy
        with sandbox.unique_uid() as uid:
            assert uid == busy + 1
    finally:
        sleeper.kill()
        sleeper.wait()


def test_the_kernel_environment_is_an_allow_list(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_DB_URL", "postgresql://grader:secret@db/course")
    env = sandbox._environment(tmp_path, private_tmp=True)
    assert "COURSE_DB_URL" not in env and "secret" not in " ".join(env.values())
    assert env["HOME"] == str(tmp_path) and env["TMPDIR"] == "/tmp"
    assert env["PATH"].split(os.pathsep)[0] == os.path.dirname(sys.executable)  # the course venv first


def test_sweep_kills_what_a_crashed_batch_left_and_spares_a_running_batch():
    left_over = sandbox.UID_BASE + 11
    orphan = subprocess.Popen(["sleep", "600"], user=left_over, group=left_over, start_new_session=True)
    with sandbox.unique_uid(prefer=sandbox.UID_BASE + 12) as running:
        kernel = subprocess.Popen(["sleep", "600"], user=running, group=running, start_new_session=True)
        try:
            assert sandbox.sweep() >= 1
            assert orphan.wait(timeout=10) != 0  # killed
            assert kernel.poll() is None and sandbox.processes_of(running) == [kernel.pid]
        finally:
            kernel.kill()
            kernel.wait()


PROBE = r"""
import glob, json, os, resource, socket, sys
import numpy as np
facts = {"uid": os.getuid(), "pid": os.getpid(), "cwd": os.getcwd(), "path": sys.path,
         "processes": sorted(int(p) for p in os.listdir("/proc") if p.isdigit()),
         "env": sorted(os.environ), "secret": any("secret" in v for v in os.environ.values()),
         "environ_secret": b"secret" in open("/proc/self/environ", "rb").read(),
         "tmp": sorted(os.listdir("/tmp")), "hidden": sorted(os.listdir(HIDDEN)),
         "memory": resource.getrlimit(resource.RLIMIT_AS), "processes_limit": resource.getrlimit(resource.RLIMIT_NPROC),
         "servers": [os.access(p, os.R_OK | os.X_OK) for p in glob.glob("/run/mlpapers-warm-*")],
         "random": float(np.random.rand())}
try:
    socket.create_connection(("127.0.0.1", 22), timeout=1).close()
    facts["network"] = "open"
except OSError as exc:
    facts["network"] = type(exc).__name__
print(json.dumps(facts))
"""


def _probe(tmp_path, warm_socket: str) -> dict:
    """Run PROBE in a sandboxed kernel (a fork of the warm server at ``warm_socket``, or cold)."""
    import json
    import tempfile
    from pathlib import Path

    import nbformat
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import AsyncKernelManager
    from nbclient import NotebookClient

    hidden = sandbox.scratch_base() / "mlpapers-test-hidden"  # outside /tmp, which the sandbox replaces
    hidden.mkdir(mode=0o755, exist_ok=True)
    (hidden / "answers.txt").write_text("the instructor's")
    with sandbox.unique_uid() as uid:
        scratch = Path(tempfile.mkdtemp(prefix="mlpg-", dir=sandbox.scratch_base()))
        sandbox.hand_over(scratch, uid)
        work = Path(tempfile.mkdtemp(prefix="mlpk-"))
        sandbox.kernelspec(work, scratch, uid, [hidden], 3072, 60, warm=warm_socket)
        km = AsyncKernelManager(kernel_name="mlpapers-sandbox", transport="ipc", ip=str(scratch / "ipc"),
                                kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(work / "kernels")]),
                                connection_file=str(work / "connection.json"))
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(f"HIDDEN = {str(hidden)!r}\n" + PROBE)])
        NotebookClient(nb, km=km, timeout=60, shutdown_kernel="immediate").execute()
        facts = json.loads(nb.cells[0].outputs[0]["text"])
        facts["cwd_is_scratch"] = facts.pop("cwd") == str(scratch)
        facts["path"] = ["<scratch>" if p == str(scratch) else p for p in facts.pop("path")]
        facts["uid_is_own"] = facts.pop("uid") == uid
        return facts


def test_a_warm_kernel_is_sandboxed_exactly_like_a_cold_one(tmp_path, monkeypatch):
    """A fork of the warm server gets what a fresh interpreter gets: its own uid, PID and network
    namespaces, private /tmp, hidden folders, limits and environment, a fresh random stream; and it
    cannot reach the servers."""
    from mlpapers.grader import warm
    monkeypatch.setenv("COURSE_DB_URL", "postgresql://grader:secret@db/course")
    monkeypatch.delenv(warm.DISABLE, raising=False)
    cold = _probe(tmp_path, "")
    with warm.servers({"plain"}, str(tmp_path)) as sockets:
        first, second = _probe(tmp_path, sockets["plain"]), _probe(tmp_path, sockets["plain"])
        assert first["servers"] and not any(first["servers"]), "a kernel can enter the warm servers' folder"
    assert first["random"] != second["random"] != cold["random"], "two kernels share a random stream"
    for facts in (first, second):
        for key in ("random", "servers"):
            facts.pop(key)
    cold.pop("random"), cold.pop("servers")
    assert first == second == cold
    assert cold["uid_is_own"] and cold["cwd_is_scratch"] and cold["pid"] == 1 and cold["processes"] == [1]
    assert cold["network"] in ("OSError", "ConnectionRefusedError") and cold["hidden"] == []
    assert not cold["secret"] and not cold["environ_secret"]


def test_a_kernel_comes_from_the_torch_server_only_when_its_notebook_imports_torch():
    from mlpapers.grader import warm
    assert warm.kind_of("import numpy as np\nimport torch\n") == "torch"
    assert warm.kind_of("from torch import nn\n") == "torch"
    assert warm.kind_of("import numpy as np\n# torch is not needed\nimport torchvision_like\n") == "plain"


def test_the_torch_notebooks_of_the_course_get_the_torch_server(tmp_path):
    from mlpapers import catalog
    from mlpapers.grader.batch import make_jobs
    from mlpapers.submissions import solved_copy, write_submission
    for pid in (173, 361):
        p = catalog.problem(pid)
        write_submission(solved_copy(p), tmp_path / "submitted" / "alice" / p.assignment / f"{p.stem}.ipynb")
    kinds = {j.notebook: j.warm_kind for j in make_jobs(tmp_path / "submitted", 60, 3072)}
    assert kinds == {"173_haar_rotation": "plain", "361_muon_newton_schulz": "torch"}


def test_without_cap_sys_admin_autograde_stops_before_grading(tmp_path):
    """A root process that cannot make namespaces (an unprivileged container) grades nothing."""
    import shutil
    if not shutil.which("setpriv"):
        pytest.skip("setpriv is missing")
    from coursekit import make_course, submit
    from mlpapers import catalog
    from mlpapers.submissions import solved_copy
    p = catalog.problem(173)
    root = make_course(tmp_path, [p])
    submit(root, "alice", p, solved_copy(p))
    proc = subprocess.run(["setpriv", "--bounding-set", "-sys_admin", "--inh-caps", "-sys_admin", "--",
                           sys.executable, "-m", "mlpapers", "autograde"], cwd=root, capture_output=True, text=True,
                          env=dict(os.environ, MLPAPERS_ROOT=str(root)), timeout=120)
    assert proc.returncode == 2 and "CAP_SYS_ADMIN" in proc.stderr, proc.stderr
    assert not (root / "grading" / "grades.csv").exists()


def test_the_sandbox_hides_the_folders_of_the_course_root_and_of_the_checkout(tmp_path):
    """On a grading machine whose course root is its own (MLPAPERS_ROOT), the shared checkout the
    package runs from keeps its instructor folders hidden too."""
    out = subprocess.run([sys.executable, "-c", "from mlpapers.grader import sandbox\n"
                          "print('\\n'.join(map(str, sandbox.hidden_paths())))"],
                         env=dict(os.environ, MLPAPERS_ROOT=str(tmp_path)), capture_output=True, text=True, check=True)
    from mlpapers.paths import CHECKOUT
    hidden = out.stdout.split()
    for name in ("solutions", "grading", "tests", ".git"):
        assert str(tmp_path.resolve() / name) in hidden and str(CHECKOUT / name) in hidden


def test_a_kernel_whose_warm_server_is_gone_starts_cold_in_the_same_sandbox(tmp_path):
    facts = _probe(tmp_path, str(tmp_path / "no-server-here"))
    assert facts["uid_is_own"] and facts["pid"] == 1 and facts["processes"] == [1] and facts["hidden"] == []

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

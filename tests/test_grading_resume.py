"""A batch killed midway and started again grades only what is left and ends with the same grades."""
import csv
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from coursekit import journal_rows, make_course, run_cli, submit
from mlpapers import catalog
from mlpapers.grader.gradebook import GradebookWriter
from mlpapers.paths import MUTANTS
from mlpapers.submissions import solved_copy, untouched_copy

pytestmark = pytest.mark.notebooks
PROBLEMS = [catalog.problem(176), catalog.problem(413)]
STUDENTS = 5


def fill(root: Path) -> int:
    for s in range(STUDENTS):
        for p in PROBLEMS:
            kind = s % 3
            mutant = sorted((MUTANTS / p.chapter / str(p.id)).glob("*.py"))[0].read_text()
            nb = solved_copy(p) if kind == 0 else untouched_copy(p) if kind == 1 else solved_copy(p, mutant)
            submit(root, f"student{s}", p, nb)
    return STUDENTS * len(PROBLEMS)


def rows(root: Path) -> list[tuple]:
    with (root / "grading" / "grades.csv").open() as f:
        return [(r["student"], r["assignment"], r["notebook"], r["score"], r["max_score"], r["status"])
                for r in csv.DictReader(f)]


def journaled(root: Path) -> int:
    if not (root / "grading" / "gradebook.db").exists():
        return 0
    try:
        return len(journal_rows(root))
    except Exception:  # the grader is creating the database right now
        return 0


def _kernels_of(course: Path) -> list[int]:
    """Pids of processes started for grading ``course`` (their command line names its folders)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and str(course).encode() in (entry / "cmdline").read_bytes():
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def test_kill_and_resume_is_exact(tmp_path):
    reference, resumed = make_course(tmp_path / "a", PROBLEMS), make_course(tmp_path / "b", PROBLEMS)
    total = fill(reference)
    fill(resumed)
    run_cli(reference, "autograde", "--workers", "2")

    env = dict(os.environ, MLPAPERS_ROOT=str(resumed))
    proc = subprocess.Popen([sys.executable, "-m", "mlpapers", "autograde", "--workers", "2"], cwd=resumed,
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 300
    while journaled(resumed) < 3 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    # The workers died with the batch; their kernels (own sessions, own PID namespaces) follow.
    deadline = time.monotonic() + 15
    while _kernels_of(resumed) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _kernels_of(resumed), "kernels of the killed batch are still running"
    done = journaled(resumed)
    assert 0 < done < total, f"the kill should land midway (done {done} of {total})"
    assert not (resumed / "grading" / "grades.csv").exists() or rows(resumed) != rows(reference)

    second = run_cli(resumed, "autograde", "--workers", "2")
    regraded = [line for line in second.stdout.splitlines() if line.startswith("  ")]
    assert len(regraded) == total - done, second.stdout

    final = rows(resumed)
    assert len(final) == len(set((r[0], r[2]) for r in final)) == total, "one row per (student, notebook)"
    assert final == rows(reference)
    with GradebookWriter(f"sqlite:///{resumed / 'grading' / 'gradebook.db'}") as gb:
        scores = gb.scores()
    for student, assignment, notebook, score, _, _ in final:
        assert scores[(student, assignment, notebook)] == float(score)

"""Grading in shards: N machines, one PostgreSQL gradebook, the same grades as one machine.

Three shard processes play three grading machines: each has its own course root (its own
``grading/``, scratch and kernels) and a copy of the class's submissions, and all of them write to
one PostgreSQL cluster on loopback, as Kubernetes' Indexed Job or a Slurm array in ``deploy/``
runs them. One shard is killed with SIGKILL midway and run again. A fourth machine then rebuilds
``grades.csv`` from the database alone. Everything must equal a single-machine run, row for row.
"""
import csv
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from coursekit import journal_rows, make_course, run_cli, submit
from mlpapers import catalog
from mlpapers.grader.batch import Shard
from mlpapers.grader.gradebook import GradebookWriter
from mlpapers.paths import MUTANTS
from mlpapers.submissions import solved_copy, untouched_copy
from pgcluster import postgres_cluster

PROBLEMS = [p for p in catalog.problems() if p.chapter == "gemma4"]
SHARDS = 3
KILLED = 1


def _mutant(problem: catalog.Problem, k: int) -> str:
    found = sorted((MUTANTS / problem.chapter / str(problem.id)).glob("*.py"))
    return found[k % len(found)].read_text()


def _hostile(problem: catalog.Problem):
    """The right answer, plus reaching for the gradebook's database and the grader's environment."""
    nb = solved_copy(problem)
    cell = next(c for c in nb.cells if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("solution"))
    cell.source += ("\n\nimport socket\ntry:\n    socket.create_connection(('127.0.0.1', 5432), timeout=1).close()\n"
                    "except OSError:\n    pass\ntry:\n    open('/proc/1/environ').read()\nexcept OSError:\n    pass\n")
    return nb


# Six students: honest, the stub, known-wrong answers, hostile, one whose kernel dies mid-notebook
# and one who handed in only some notebooks.
KINDS = ("honest", "stub", "mutant", "hostile", "dead", "partial")


def fill(root: Path) -> int:
    count = 0
    for s, kind in enumerate(KINDS):
        for i, p in enumerate(PROBLEMS):
            if kind == "honest" or (kind == "partial" and i % 2 == 0):
                nb = solved_copy(p)
            elif kind == "partial":
                continue
            elif kind == "stub":
                nb = untouched_copy(p)
            elif kind == "mutant":
                nb = solved_copy(p, _mutant(p, s + i))
            elif kind == "hostile":
                nb = _hostile(p)
            else:  # dead: the kernel exits in the first answer cell
                nb = solved_copy(p)
                cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution")
                            and c.cell_type == "code")
                cell.source += "\n\nimport os\nos._exit(1)\n"
            submit(root, f"s{s}-{kind}", p, nb)
            count += 1
    return count


def grades(root: Path) -> list[dict]:
    with (root / "grading" / "grades.csv").open() as f:
        return list(csv.DictReader(f))


def graded_lines(text: str) -> list[tuple[str, str]]:
    """(student, notebook) of each notebook a run reports it graded."""
    return [tuple(line.split()[:2]) for line in text.splitlines() if line.startswith("  ")]


def test_a_shard_spec_is_checked_and_needs_a_shared_gradebook(tmp_path):
    for bad in ("3", "3/3", "-1/2", "a/b", "1/0"):
        with pytest.raises(ValueError, match="K/N|0..N-1"):
            Shard.parse(bad)
    root = make_course(tmp_path, PROBLEMS[:1])
    submit(root, "alice", PROBLEMS[0], solved_copy(PROBLEMS[0]))
    proc = run_cli(root, "autograde", "--shard", "0/2", check=False)
    assert proc.returncode == 2 and "PostgreSQL" in proc.stderr, proc.stderr


def test_shards_partition_every_pair_once_and_stably():
    students = [f"student{i:04d}" for i in range(400)]
    assignments = [p.assignment for p in catalog.problems()]
    for count in (1, 2, 3, 10):
        shards = [Shard(k, count) for k in range(count)]
        owners = {(s, a): [k for k, sh in enumerate(shards) if sh.holds(s, a)] for s in students for a in assignments}
        assert all(len(o) == 1 for o in owners.values()), "a pair in no shard or in two"
        sizes = [sum(o == [k] for o in owners.values()) for k in range(count)]
        assert max(sizes) - min(sizes) < 0.1 * len(owners) / count + 50, sizes  # about even
        # A pair's shard depends on its own names only: a larger class keeps every old assignment.
        more = students + [f"late{i}" for i in range(50)]
        assert all([k for k, sh in enumerate(shards) if sh.holds(s, a)] == owners[(s, a)]
                   for s in more[:400] for a in assignments)


@pytest.mark.notebooks
def test_three_shards_with_one_killed_grade_like_one_machine(tmp_path):
    start = time.monotonic()
    reference = make_course(tmp_path / "reference", PROBLEMS)
    total = fill(reference)
    run_cli(reference, "autograde", "--workers", "2")
    expected = grades(reference)
    assert len(expected) == len(KINDS) * len(PROBLEMS) == total + len(PROBLEMS) // 2
    assert {r["status"] for r in expected} >= {"graded", "tampered", "kernel_died", "missing"}, expected
    with GradebookWriter(f"sqlite:///{reference / 'grading' / 'gradebook.db'}") as gb:
        expected_scores = gb.scores()

    with postgres_cluster() as url:
        roots = [make_course(tmp_path / f"machine{k}", PROBLEMS) for k in range(SHARDS + 1)]
        for root in roots:  # the submissions volume, as every machine sees it
            shutil.copytree(reference / "grading" / "submitted", root / "grading" / "submitted")

        def launch(k: int) -> subprocess.Popen:
            env = dict(os.environ, MLPAPERS_ROOT=str(roots[k]), COURSE_DB_URL=url,
                       MLPAPERS_SCRATCH=str(roots[k] / "scratch"))
            (roots[k] / "scratch").mkdir(exist_ok=True)
            return subprocess.Popen([sys.executable, "-m", "mlpapers", "autograde", "--workers", "1",
                                     "--shard", f"{k}/{SHARDS}"], cwd=roots[k], env=env, text=True,
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)

        mine = {k: {(s, p.assignment) for s, p in _pairs(reference) if Shard(k, SHARDS).holds(s, p.assignment)}
                for k in range(SHARDS)}
        assert all(len(m) >= 4 for m in mine.values()), {k: len(m) for k, m in mine.items()}
        procs = {k: launch(k) for k in range(SHARDS)}
        deadline = time.monotonic() + 300
        killed_done = 0
        while time.monotonic() < deadline and procs[KILLED].poll() is None:
            killed_done = len([o for o in _rows(url) if (o["student"], o["assignment"]) in mine[KILLED]])
            if killed_done >= 2:
                break
            time.sleep(0.2)
        os.killpg(procs[KILLED].pid, signal.SIGKILL)
        procs[KILLED].communicate()
        killed_done = len([o for o in _rows(url) if (o["student"], o["assignment"]) in mine[KILLED]])
        assert 0 < killed_done < len(mine[KILLED]), f"the kill should land midway ({killed_done} of {len(mine[KILLED])})"
        outs = {k: p.communicate(timeout=600) for k, p in procs.items() if k != KILLED}
        assert all(procs[k].returncode == 0 for k in outs), outs
        # Counted again now: a COMMIT the killed shard sent just before SIGKILL may reach the
        # database after the first count, and its row is then rightly not graded again.
        killed_done = len([o for o in _rows(url) if (o["student"], o["assignment"]) in mine[KILLED]])
        procs[KILLED] = launch(KILLED)
        outs[KILLED] = procs[KILLED].communicate(timeout=600)
        assert procs[KILLED].returncode == 0, outs[KILLED]
        outs = {k: out for k, (out, _) in outs.items()}

        # Each shard graded its own pairs and no other; the rerun only what the kill left.
        by_notebook = {p.stem: p.assignment for p in PROBLEMS}
        for k, out in outs.items():
            done = {(s, by_notebook[n]) for s, n in graded_lines(out)}
            assert done <= mine[k], f"shard {k} graded pairs of another shard: {sorted(done - mine[k])}"
        rerun = graded_lines(outs[KILLED])
        assert len(rerun) == len(set(rerun)) == len(mine[KILLED]) - killed_done, outs[KILLED]
        for k in range(SHARDS):
            if k != KILLED:
                assert len(graded_lines(outs[k])) == len(mine[k]), outs[k]

        # A machine that graded nothing rebuilds grades.csv from the database: equal, row for row,
        # and so does one that has not even the submissions.
        bare = make_course(tmp_path / "bare", PROBLEMS)
        run_cli(bare, "grades", env={"COURSE_DB_URL": url})
        assert grades(bare) == expected
        instructor = roots[SHARDS]
        summary = run_cli(instructor, "grades", env={"COURSE_DB_URL": url})
        assert f"{len(expected)} notebooks" in summary.stdout, summary.stdout
        assert grades(instructor) == expected
        assert (instructor / "grading" / "autograded" / "s0-honest" / PROBLEMS[0].assignment /
                f"{PROBLEMS[0].stem}.ipynb").is_file()
        assert grades(roots[KILLED]) == expected, "the last shard to finish writes the whole class's grades.csv"
        with GradebookWriter(url) as gb:
            assert gb.scores() == expected_scores
        assert len(_rows(url)) == len(expected)
    print(f"\nshard test: {total} notebooks, {SHARDS} shards, {time.monotonic() - start:.0f} s")


def _pairs(root: Path):
    from mlpapers.grader.batch import pairs
    return pairs(root / "grading" / "submitted")


def _rows(url: str) -> list[dict]:
    try:
        return journal_rows(Path("."), url)
    except Exception:  # the first shard is creating the tables right now
        return []

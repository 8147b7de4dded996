"""``make bench-grading``: the course's grader against plain sequential ``nbgrader autograde``.

A synthetic class is built from every ready notebook: one student hands in the solved version, one
the untouched stub, and one a known-wrong version (each problem's mutants in turn), and more
students repeat that pattern. Both graders grade the same batch in fresh copies of the course;
the report gives notebooks per minute, the speedup, the per-notebook overhead beyond executing the
notebook's own cells, and a projection for a large class.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from mlpapers import catalog
from mlpapers.grader import journal
from mlpapers.nbgrader_cli import nbgrader_env
from mlpapers.paths import MUTANTS, ROOT, SOLUTIONS, RELEASE

KINDS = ("solved", "stub", "mutant")


def build_class(root: Path, students: int) -> int:
    """Write the synthetic submissions into ``root/grading/submitted``; return how many."""
    from mlpapers.submissions import solved_copy, untouched_copy, write_submission
    count = 0
    ready = [p for p in catalog.problems() if (SOLUTIONS / p.notebook).exists() and (RELEASE / p.released).exists()]
    for s in range(students):
        kind = KINDS[s % len(KINDS)]
        for p in ready:
            if kind == "solved":
                nb = solved_copy(p)
            elif kind == "stub":
                nb = untouched_copy(p)
            else:
                mutants = sorted((MUTANTS / p.chapter / str(p.id)).glob("*.py"))
                nb = solved_copy(p, mutants[(s // len(KINDS)) % len(mutants)].read_text())
            write_submission(nb, root / "grading" / "submitted" / f"s{s:03d}" / p.assignment / f"{p.stem}.ipynb")
            count += 1
    return count


def course_copy(base: Path, name: str) -> Path:
    root = base / name
    root.mkdir()
    for f in ("grader_config.py", "nbgrader_config.py"):
        shutil.copy(ROOT / f, root / f)
    for folder in ("solutions", "release"):
        shutil.copytree(ROOT / folder, root / folder)
    return root


def time_nbgrader(root: Path) -> float:
    """Wall seconds for plain ``nbgrader autograde`` of every handed-in assignment, in one process."""
    from mlpapers.release import staged_sources
    assignments = sorted({p.name for p in (root / "grading" / "submitted").glob("*/*") if p.is_dir()})
    env = nbgrader_env({"MLPAPERS_ROOT": str(root)})
    cfg = f"--NbGrader.config_file={root / 'grader_config.py'}"
    problems = [catalog.by_assignment(a) for a in assignments]
    start = time.perf_counter()
    with staged_sources(problems) as source, tempfile.TemporaryDirectory() as tmp:
        folders = [cfg, f"--CourseDirectory.source_directory={source}"]
        subprocess.run([sys.executable, "-m", "nbgrader", "generate_assignment", "*", "--force",
                        f"--CourseDirectory.release_directory={tmp}", *folders],
                       cwd=root, env=env, capture_output=True, check=True)
        subprocess.run([sys.executable, "-m", "nbgrader", "autograde", "*", "--force", *folders],
                       cwd=root, env=env, capture_output=True)
    return time.perf_counter() - start


def time_course_grader(root: Path, workers: int) -> tuple[float, list[dict]]:
    """Wall seconds for ``python -m mlpapers autograde`` and its journaled outcomes."""
    env = dict(os.environ, MLPAPERS_ROOT=str(root))
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "mlpapers", "autograde", "--workers", str(workers)],
                   cwd=root, env=env, capture_output=True, check=True)
    wall = time.perf_counter() - start
    rows = journal.outcomes(f"sqlite:///{root / 'grading' / 'gradebook.db'}")
    return wall, rows


def in_kernel_test_seconds(nb, cwd: Path) -> dict[str, float]:
    """Seconds of each test cell run the old way, inside the kernel (what the judge replaces)."""
    from jupyter_client.manager import AsyncKernelManager
    from nbclient import NotebookClient

    from mlpapers.execute import kernel_env
    from mlpapers.grader.runner import _cell_seconds
    from mlpapers.notebooks import is_grade, nbgrader_meta
    with tempfile.TemporaryDirectory(prefix="mlpk-") as sockets:
        km = AsyncKernelManager(kernel_name="python3", transport="ipc", ip=os.path.join(sockets, "k"),
                                connection_file=os.path.join(sockets, "kernel.json"))
        client = NotebookClient(nb, km=km, timeout=120, allow_errors=True, record_timing=True,
                                resources={"metadata": {"path": str(cwd)}})
        client.execute(env=kernel_env())
    return {nbgrader_meta(c)["grade_id"]: _cell_seconds(c) for c in nb.cells if is_grade(c)}


def judge_channel_cost() -> dict:
    """Every ready solution's test cells through the judge and inside the kernel: the channel's cost."""
    import statistics

    from mlpapers.execute import run_notebook
    from mlpapers.notebooks import read
    rows = []
    for p in catalog.problems():
        if not (SOLUTIONS / p.notebook).exists():
            continue
        nb, cwd = read(SOLUTIONS / p.notebook), RELEASE / p.folder
        judged = {c.grade_id: c for c in run_notebook(nb, cwd=cwd).cells if c.graded}
        local = in_kernel_test_seconds(nb, cwd)
        rows += [(judged[g].seconds - local[g], judged[g].calls) for g in judged if g in local]
    extra = [r[0] for r in rows]
    calls = sum(r[1] for r in rows)
    return {"test_cells": len(rows), "calls": calls,
            "median_extra_ms": round(1000 * statistics.median(extra), 1),
            "mean_extra_ms": round(1000 * statistics.fmean(extra), 1),
            "total_extra_s": round(sum(extra), 2),
            "per_call_us": round(1e6 * sum(extra) / max(1, calls), 0)}


def bench(students: int = 3, workers: int | None = None, cores: int = 32,
          class_size: tuple[int, int] = (300, 43)) -> dict:
    """Run both graders on the same synthetic class; return the measurements."""
    from mlpapers.grader import default_workers
    workers = workers or default_workers()
    with tempfile.TemporaryDirectory(prefix="mlpapers-bench-") as tmp:
        base = Path(tmp)
        ours, plain = course_copy(base, "ours"), course_copy(base, "plain")
        n = build_class(ours, students)
        shutil.copytree(ours / "grading" / "submitted", plain / "grading" / "submitted")
        plain_wall = time_nbgrader(plain)
        our_wall, rows = time_course_grader(ours, workers)
    graded = [r for r in rows if r.get("status") != "missing"]
    cell_seconds = sum(r.get("cell_seconds", 0.0) for r in graded) / max(1, len(graded))
    machine_cores = os.cpu_count() or 1
    cpu_per_notebook = our_wall * min(workers, machine_cores) / n
    total = class_size[0] * class_size[1]
    return {
        "notebooks": n, "students": students, "workers": workers, "machine_cores": machine_cores,
        "nbgrader_seconds": round(plain_wall, 1), "course_seconds": round(our_wall, 1),
        "nbgrader_per_minute": round(60 * n / plain_wall, 1), "course_per_minute": round(60 * n / our_wall, 1),
        "speedup": round(plain_wall / our_wall, 2),
        "mean_cell_seconds": round(cell_seconds, 2),
        "nbgrader_overhead_seconds": round(plain_wall / n - cell_seconds, 2),
        "course_overhead_seconds": round(cpu_per_notebook - cell_seconds, 2),
        "statuses": {s: sum(r["status"] == s for r in rows) for s in sorted({r["status"] for r in rows})},
        "judge": judge_channel_cost(),
        "projection": {"students": class_size[0], "notebooks_each": class_size[1], "cores": cores,
                       "hours": round(total * cpu_per_notebook / cores / 3600, 2)},
    }


def format_bench(r: dict) -> str:
    """The report printed by ``make bench-grading``."""
    p, j = r["projection"], r["judge"]
    return "\n".join([
        f"synthetic class: {r['notebooks']} notebooks ({r['students']} students x every ready notebook: "
        f"solved, stub, mutant), {r['machine_cores']} cores, course grader with {r['workers']} workers",
        f"plain nbgrader autograde (sequential): {r['nbgrader_seconds']:>7.1f} s  {r['nbgrader_per_minute']:>6.1f} notebooks/min",
        f"course grader (parallel, sandboxed):   {r['course_seconds']:>7.1f} s  {r['course_per_minute']:>6.1f} notebooks/min",
        f"speedup: {r['speedup']:.2f}x",
        f"mean time in the notebooks' own cells: {r['mean_cell_seconds']:.2f} s per notebook",
        f"overhead beyond the cells, per notebook: nbgrader {r['nbgrader_overhead_seconds']:.2f} s, "
        f"course grader {r['course_overhead_seconds']:.2f} core-seconds",
        f"statuses: {r['statuses']}",
        f"judge channel: {j['test_cells']} test cells making {j['calls']} calls to student code take "
        f"{j['median_extra_ms']:+.1f} ms per test cell against running inside the kernel (median; mean "
        f"{j['mean_extra_ms']:+.1f} ms), about {j['per_call_us']:.0f} us per call",
        f"projection: {p['students']} students x {p['notebooks_each']} notebooks on {p['cores']} cores: "
        f"about {p['hours']:.2f} h with the course grader (same per-notebook cost, one notebook per core)",
    ])

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


def busy_core_seconds() -> float:
    """CPU time the whole machine has spent busy since boot, in core-seconds (``/proc/stat``)."""
    with open("/proc/stat") as f:
        ticks = [int(v) for v in f.readline().split()[1:]]
    return (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")  # all but idle and iowait


def time_course_grader(root: Path, workers: int, env: dict | None = None) -> tuple[float, float, list[dict]]:
    """Wall seconds and the machine's busy core-seconds for ``python -m mlpapers autograde``, and its
    journaled outcomes. Kernels outlive no batch, so the core-seconds are the batch's own on a quiet
    machine (every process it started: workers, warm servers, kernels)."""
    env = dict(os.environ, MLPAPERS_ROOT=str(root), **(env or {}))
    start, busy = time.perf_counter(), busy_core_seconds()
    subprocess.run([sys.executable, "-m", "mlpapers", "autograde", "--workers", str(workers)],
                   cwd=root, env=env, capture_output=True, check=True)
    wall, cpu = time.perf_counter() - start, busy_core_seconds() - busy
    rows = journal.outcomes(f"sqlite:///{root / 'grading' / 'gradebook.db'}")
    return wall, cpu, rows


#: the notebooks whose grading overhead the bench measures: one NumPy, one torch
OVERHEAD_PROBLEMS = {"numpy": 173, "torch": 361}


def own_cell_core_seconds(problem: catalog.Problem) -> float:
    """Core-seconds the solved notebook's own cells take once its imports are loaded: the notebook
    runs twice in one plain kernel, and the kernel's CPU time of the second run is the answer."""
    from jupyter_client.manager import KernelManager
    from nbclient import NotebookClient

    from mlpapers.execute import kernel_env
    from mlpapers.notebooks import read
    nb = read(SOLUTIONS / problem.notebook)
    with tempfile.TemporaryDirectory(prefix="mlpk-") as sockets:
        km = KernelManager(kernel_name="python3", transport="ipc", ip=os.path.join(sockets, "k"),
                           connection_file=os.path.join(sockets, "kernel.json"))
        client = NotebookClient(nb, km=km, timeout=120, allow_errors=True,
                                resources={"metadata": {"path": str(RELEASE / problem.folder)}})
        try:
            with client.setup_kernel(env=kernel_env()):
                for index, cell in enumerate(nb.cells):
                    client.execute_cell(cell, index)
                stat = Path(f"/proc/{km.provisioner.process.pid}/stat")
                cpu = lambda: sum(int(v) for v in stat.read_text().rsplit(")", 1)[1].split()[11:13])  # noqa: E731
                before = cpu()
                for index, cell in enumerate(nb.cells):
                    client.execute_cell(cell, index)
                return (cpu() - before) / os.sysconf("SC_CLK_TCK")
        finally:  # a kernel manager passed in is not shut down by nbclient
            km.shutdown_kernel(now=True)


def overhead(problem: catalog.Problem, cold: bool, sizes: tuple[int, int] = (2, 8)) -> dict:
    """What grading one more copy of ``problem`` costs, beyond its own cells, in core-seconds.

    Two classes of solved copies (``sizes``) are graded with one worker; the difference in busy
    core-seconds over the difference in notebooks is the cost of one notebook, free of the batch's
    fixed costs (registering, starting the pool and the warm servers), which are reported apart."""
    from mlpapers.submissions import solved_copy, write_submission
    cost = {}
    for n in sizes:
        with tempfile.TemporaryDirectory(prefix="mlpapers-overhead-") as tmp:
            root = course_copy(Path(tmp), "course")
            for s in range(n):
                write_submission(solved_copy(problem), root / "grading" / "submitted" / f"s{s:03d}" /
                                 problem.assignment / f"{problem.stem}.ipynb")
            _, cost[n], rows = time_course_grader(root, 1, {"MLPAPERS_COLD_KERNELS": "1" if cold else "0"})
            assert [r["status"] for r in rows] == ["graded"] * n, rows
    per_notebook = (cost[sizes[1]] - cost[sizes[0]]) / (sizes[1] - sizes[0])
    return {"per_notebook": round(per_notebook, 2), "fixed": round(cost[sizes[0]] - sizes[0] * per_notebook, 1)}


def overheads() -> dict:
    """For a NumPy and a torch notebook: its own cells, and its grading cost with cold and warm kernels."""
    out = {}
    for kind, pid in OVERHEAD_PROBLEMS.items():
        problem = catalog.problem(pid)
        own = own_cell_core_seconds(problem)
        runs = {mode: overhead(problem, cold=mode == "cold") for mode in ("cold", "warm")}
        out[kind] = {"notebook": problem.stem, "own_cells": round(own, 2),
                     **{f"{mode}_per_notebook": r["per_notebook"] for mode, r in runs.items()},
                     **{f"{mode}_overhead": round(r["per_notebook"] - own, 2) for mode, r in runs.items()},
                     "fixed": runs["warm"]["fixed"]}
    return out


def in_kernel_test_seconds(nb, cwd: Path) -> dict[str, float]:
    """Seconds of each test cell run the old way, inside the kernel (what the judge replaces)."""
    from jupyter_client.manager import AsyncKernelManager
    from jupyter_core.utils import run_sync
    from nbclient import NotebookClient

    from mlpapers.execute import kernel_env
    from mlpapers.grader.runner import _cell_seconds
    from mlpapers.notebooks import is_grade, nbgrader_meta
    with tempfile.TemporaryDirectory(prefix="mlpk-") as sockets:
        km = AsyncKernelManager(kernel_name="python3", transport="ipc", ip=os.path.join(sockets, "k"),
                                connection_file=os.path.join(sockets, "kernel.json"))
        client = NotebookClient(nb, km=km, timeout=120, allow_errors=True, record_timing=True,
                                resources={"metadata": {"path": str(cwd)}})
        try:
            client.execute(env=kernel_env())
        finally:  # a kernel manager passed in is not shut down by nbclient
            run_sync(km.shutdown_kernel)(now=True)
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


def bench(students: int = 3, workers: int | None = None, machines: int = 10, cores: int = 32,
          class_size: tuple[int, int] = (3000, 43), measure_overheads: bool = True) -> dict:
    """Run both graders on the same synthetic class, and measure the per-notebook overheads; return
    the measurements and a projection for ``class_size`` on ``machines`` x ``cores``."""
    from mlpapers.grader import default_workers
    workers = workers or default_workers()
    with tempfile.TemporaryDirectory(prefix="mlpapers-bench-") as tmp:
        base = Path(tmp)
        ours, plain = course_copy(base, "ours"), course_copy(base, "plain")
        n = build_class(ours, students)
        shutil.copytree(ours / "grading" / "submitted", plain / "grading" / "submitted")
        plain_wall = time_nbgrader(plain)
        our_wall, our_cpu, rows = time_course_grader(ours, workers)
    graded = [r for r in rows if r.get("status") != "missing"]
    cell_seconds = sum(r.get("cell_seconds", 0.0) for r in graded) / max(1, len(graded))
    machine_cores = os.cpu_count() or 1
    cpu_per_notebook = our_cpu / n
    total = class_size[0] * class_size[1]
    per_shard = total / machines
    return {
        "notebooks": n, "students": students, "workers": workers, "machine_cores": machine_cores,
        "nbgrader_seconds": round(plain_wall, 1), "course_seconds": round(our_wall, 1),
        "nbgrader_per_minute": round(60 * n / plain_wall, 1), "course_per_minute": round(60 * n / our_wall, 1),
        "speedup": round(plain_wall / our_wall, 2),
        "mean_cell_seconds": round(cell_seconds, 2),
        "course_core_seconds_per_notebook": round(cpu_per_notebook, 2),
        "statuses": {s: sum(r["status"] == s for r in rows) for s in sorted({r["status"] for r in rows})},
        "judge": judge_channel_cost(),
        "overheads": overheads() if measure_overheads else {},
        "projection": {"students": class_size[0], "notebooks_each": class_size[1], "machines": machines,
                       "cores": cores, "notebooks_per_machine": round(per_shard),
                       "hours": round(per_shard * cpu_per_notebook / cores / 3600, 2),
                       "gradebook_writes_per_second": round(total / max(1e-9, per_shard * cpu_per_notebook / cores), 1)},
    }


def format_bench(r: dict) -> str:
    """The report printed by ``make bench-grading``."""
    p, j = r["projection"], r["judge"]
    lines = [
        f"synthetic class: {r['notebooks']} notebooks ({r['students']} students x every ready notebook: "
        f"solved, stub, mutant), {r['machine_cores']} cores, course grader with {r['workers']} workers",
        f"plain nbgrader autograde (sequential): {r['nbgrader_seconds']:>7.1f} s  {r['nbgrader_per_minute']:>6.1f} notebooks/min",
        f"course grader (parallel, sandboxed):   {r['course_seconds']:>7.1f} s  {r['course_per_minute']:>6.1f} notebooks/min",
        f"speedup: {r['speedup']:.2f}x",
        f"mean time in the notebooks' own cells: {r['mean_cell_seconds']:.2f} s per notebook; the course grader "
        f"spends {r['course_core_seconds_per_notebook']:.2f} core-seconds per notebook in all",
        f"statuses: {r['statuses']}",
        f"judge channel: {j['test_cells']} test cells making {j['calls']} calls to student code take "
        f"{j['median_extra_ms']:+.1f} ms per test cell against running inside the kernel (median; mean "
        f"{j['mean_extra_ms']:+.1f} ms), about {j['per_call_us']:.0f} us per call",
    ]
    for kind, o in r.get("overheads", {}).items():
        lines.append(
            f"overhead beyond the notebook's own cells, {kind} notebook ({o['notebook']}, own cells "
            f"{o['own_cells']:.2f} core-s): cold kernels {o['cold_overhead']:.2f} core-s, warm kernels "
            f"{o['warm_overhead']:.2f} core-s per notebook (grading costs {o['cold_per_notebook']:.2f} and "
            f"{o['warm_per_notebook']:.2f}; {o['fixed']:.1f} core-s once per batch)")
    lines += [
        f"projection: {p['students']} students x {p['notebooks_each']} notebooks on {p['machines']} machines of "
        f"{p['cores']} cores (one shard each, {p['notebooks_per_machine']} notebooks): about {p['hours']:.2f} h, "
        f"with the gradebook taking about {p['gradebook_writes_per_second']:.0f} transactions a second",
        "  assuming: each core grades one notebook at a time (workers = cores + 1) and does this machine's work per "
        "second; the class is mixed like the synthetic one (solved, untouched, known-wrong; no endless loops, "
        "each of which would cost up to its time limit); the shards are even (the hash partition); submissions "
        "are read from a shared volume and the PostgreSQL gradebook keeps up (one transaction per notebook); "
        "the batch's fixed costs (registering, pool, warm servers: seconds) are left out",
    ]
    return "\n".join(lines)

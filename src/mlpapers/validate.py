"""Validation of the course: the checks CI runs over every ready problem.

For every problem notebook: the source and release are stored in canonical form with consistent
metadata; the solution passes every graded cell; the release stub fails every graded cell; every
known-wrong implementation (mutant) fails at least one graded cell; nothing released with the
problem can stand in for one of its graded functions (``leaks.py``); and ``release/`` equals a
fresh generation from ``solutions/``. Solutions and mutants run in the problem's release folder,
so they see exactly the given module and images a student receives.
"""
from __future__ import annotations

import multiprocessing
import re
import sys
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from mlpapers import catalog, notebooks
from mlpapers.execute import run_notebook, with_mutant
from mlpapers.given import GivenError, given_for
from mlpapers.paths import MUTANTS, RELEASE, SOLUTIONS

MIN_MUTANTS = 3


@dataclass
class Finding:
    """One check on one notebook."""
    notebook: str
    check: str
    ok: bool
    detail: str = ""

    def line(self) -> str:
        mark = "ok  " if self.ok else "FAIL"
        return f"{mark} {self.notebook:<45} {self.check:<28} {self.detail}"


def mutants_of(problem: catalog.Problem) -> list[Path]:
    """The mutant files of a problem, sorted."""
    return sorted((MUTANTS / problem.chapter / str(problem.id)).glob("*.py"))


def structure_findings(problem: catalog.Problem) -> list[Finding]:
    """Stored form and metadata of the source and release notebooks."""
    name = problem.notebook
    found: list[Finding] = []
    src_path, rel_path = SOLUTIONS / name, RELEASE / problem.released

    def add(check: str, ok: bool, detail: str = "") -> None:
        found.append(Finding(name, check, ok, detail))

    if not src_path.exists():
        add("source exists", False, f"missing {src_path}")
        return found
    for label, path in (("source", src_path), ("release", rel_path)):
        if not path.exists():
            add(f"{label} exists", False, f"missing {path}")
            continue
        text = path.read_text(encoding="utf-8")
        add(f"{label} canonical", notebooks.dumps(notebooks.read(path)) == text,
            "run `python -m mlpapers normalize`" if label == "source" else "run `python -m mlpapers release`")
    nb = notebooks.read(src_path)
    first = nb.cells[0].source if nb.cells else ""
    add("title", first.startswith(f"# {problem.id} · {problem.title}"),
        f"first cell must start with '# {problem.id} · {problem.title}'")
    params = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    add("parameters cell", len(params) == 1 and all(
        re.search(rf"^{k}\s*=", params[0].source, re.M) for k in ("seed", "interactive")),
        "one cell tagged 'parameters' defining seed and interactive")
    grades = notebooks.grade_cells(nb)
    ids = [notebooks.nbgrader_meta(c).get("grade_id") for c in nb.cells if notebooks.nbgrader_meta(c)]
    add("grade ids unique", len(ids) == len(set(ids)), f"ids: {ids}")
    add("graded cells locked", bool(grades) and all(notebooks.nbgrader_meta(c).get("locked") for c in grades))
    total = notebooks.points(nb)
    add("points", total == problem.points, f"graded cells add up to {total:g}, catalog says {problem.points}")
    sols = [c for c in nb.cells if notebooks.is_solution(c) and c.cell_type == "code"]
    add("solution cells", bool(sols) and all("### BEGIN SOLUTION" in c.source for c in sols))
    try:
        given_for(problem)
        add("given: earlier answers only", True)
    except GivenError as exc:
        add("given: earlier answers only", False, str(exc))
    count = len(mutants_of(problem))
    add("mutants", count >= MIN_MUTANTS, f"{count} mutants (at least {MIN_MUTANTS})")
    if rel_path.exists():
        rel = notebooks.read(rel_path)
        leaked = [m for m in ("BEGIN SOLUTION", "BEGIN HIDDEN TESTS") for c in rel.cells if m in c.source]
        add("release hides answers", not leaked, f"release contains {sorted(set(leaked))}")
        add("release points", notebooks.points(rel) == problem.points)
    return found


Job = tuple[str, int, str, "str | None"]  # (kind, problem id, notebook path, mutant path)


def _execution_job(job: Job) -> list[Finding]:
    """Run one execution (solution, stub, mutant or leak check) and judge it; runs in a worker process."""
    kind, problem_id, path, mutant = job
    problem = catalog.problem(problem_id)
    notebook = problem.notebook
    if kind == "leaks":
        from mlpapers.leaks import leak_findings
        return leak_findings(problem)
    nb = notebooks.read(path)
    if mutant is not None:
        nb = with_mutant(nb, Path(mutant).read_text(encoding="utf-8"))
    # Every notebook runs in seconds (the slowest, 405's training, in about 15 s on two cores): two
    # minutes plus 2 s a cell is ample, and bounds what a stalled driver costs before its rerun.
    deadline = 120.0 + 2.0 * len(nb.cells)
    # A mutant is rejected by its first failing graded cell: what runs after it cannot change that.
    stop = kind == "mutant"
    run = run_notebook(nb, cwd=RELEASE / problem.folder, deadline=deadline, stop_at_failure=stop)
    if run.aborted and run.aborted.startswith("NotebookDeadline"):  # a driver that stalled: once more
        print(f"validate: {notebook} ({kind}{'' if mutant is None else ' ' + Path(mutant).stem}) stalled, "
              f"running it again; {run.aborted}", file=sys.stderr, flush=True)
        run = run_notebook(nb, cwd=RELEASE / problem.folder, deadline=deadline, stop_at_failure=stop)
    graded = run.graded
    failed = run.failed_graded()
    secs = f"{run.seconds:.1f}s"
    if kind == "solution":
        errors = [c for c in run.cells if c.error]
        detail = "; ".join(f"cell {c.index} ({c.grade_id or 'code'}): {c.error}" for c in errors[:3])
        return [Finding(notebook, "solution passes", not errors and bool(graded),
                        f"{len(graded) - len(failed)}/{len(graded)} graded cells pass, {secs}" + (f"; {detail}" if detail else ""))]
    if kind == "stub":
        passing = [c.grade_id for c in graded if c.passed]
        return [Finding(notebook, "stub fails", bool(graded) and not passing,
                        f"{len(failed)}/{len(graded)} graded cells fail, {secs}" + (f"; pass on stub: {passing}" if passing else ""))]
    name = Path(mutant).stem
    return [Finding(notebook, f"mutant {name}", bool(failed),
                    f"rejected by {[c.grade_id for c in failed][:4]}, {secs}" if failed else f"NOT rejected by any graded cell, {secs}")]


def execution_jobs(problem: catalog.Problem, mutants: bool = True, leaks: bool = True) -> list[Job]:
    """The executions that validate one problem (they need its release folder)."""
    source = str(SOLUTIONS / problem.notebook)
    if not (RELEASE / problem.released).exists():
        return []  # reported by structure_findings: `make release` first
    jobs: list[Job] = [("solution", problem.id, source, None)]  # the longest first: workers finish together
    if leaks:
        jobs.append(("leaks", problem.id, source, None))
    jobs.append(("stub", problem.id, str(RELEASE / problem.released), None))
    if mutants:
        jobs += [("mutant", problem.id, source, str(m)) for m in mutants_of(problem)]
    return jobs


def validate(problems: list[catalog.Problem], jobs: int = 2, mutants: bool = True,
             check_sync: bool = True, leaks: bool = True) -> list[Finding]:
    """All findings for these problems (structure, executions, and release sync of their chapters)."""
    from mlpapers.release import out_of_sync

    found: list[Finding] = []
    for problem in problems:
        found += structure_findings(problem)
    work = [j for p in problems if (SOLUTIONS / p.notebook).exists() for j in execution_jobs(p, mutants, leaks)]
    # Fresh interpreters, as the grader's pool uses: a forked worker inherits its parent's locks in
    # whatever state the parent's threads left them (a test session has many threads), and forked
    # validate workers are the only drivers ever seen to stall until their deadline.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=max(1, jobs), mp_context=context) as pool:
        for result in pool.map(_execution_job, work):
            found += result
    if check_sync:
        chapters = sorted({p.chapter for p in problems if (SOLUTIONS / p.notebook).exists()})
        stale = set(out_of_sync(chapters))
        for c in chapters:
            mine = [s for s in stale if s.startswith(f"{c}/")]
            found.append(Finding(f"{c}/", "release in sync", not mine,
                                 f"stale: {', '.join(mine)}; run `python -m mlpapers release`" if mine else ""))
    return found

"""Validation of the course: the checks CI runs over every ready chapter.

For every problem notebook: the source and release are stored in canonical form with consistent
metadata; the solution passes every graded cell; the release stub fails every graded cell; every
known-wrong implementation (mutant) fails at least one graded cell; and ``release/`` equals a fresh
generation from ``solutions/``.
"""
from __future__ import annotations

import re
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from mlpapers import catalog, notebooks
from mlpapers.execute import run_notebook, with_mutant
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
    src_path, rel_path = SOLUTIONS / name, RELEASE / name

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
    count = len(mutants_of(problem))
    add("mutants", count >= MIN_MUTANTS, f"{count} mutants (at least {MIN_MUTANTS})")
    if rel_path.exists():
        rel = notebooks.read(rel_path)
        leaked = [m for m in ("BEGIN SOLUTION", "BEGIN HIDDEN TESTS") for c in rel.cells if m in c.source]
        add("release hides answers", not leaked, f"release contains {sorted(set(leaked))}")
        add("release points", notebooks.points(rel) == problem.points)
    return found


def _execution_job(job: tuple[str, str, str, str | None]) -> list[Finding]:
    """Run one execution (solution, stub or mutant) and judge it; runs in a worker process."""
    kind, notebook, folder, mutant = job
    path = Path(folder) / notebook
    nb = notebooks.read(path)
    if mutant is not None:
        nb = with_mutant(nb, Path(mutant).read_text(encoding="utf-8"))
    run = run_notebook(nb, cwd=path.parent)
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


def execution_jobs(problem: catalog.Problem, mutants: bool = True) -> list[tuple[str, str, str, str | None]]:
    """The executions that validate one problem."""
    jobs = [("solution", problem.notebook, str(SOLUTIONS), None)]
    if (RELEASE / problem.notebook).exists():
        jobs.append(("stub", problem.notebook, str(RELEASE), None))
    if mutants:
        jobs += [("mutant", problem.notebook, str(SOLUTIONS), str(m)) for m in mutants_of(problem)]
    return jobs


def validate(problems: list[catalog.Problem], jobs: int = 2, mutants: bool = True,
             check_sync: bool = True) -> list[Finding]:
    """All findings for these problems (structure, executions, and release sync of their chapters)."""
    from mlpapers.release import out_of_sync

    found: list[Finding] = []
    for problem in problems:
        found += structure_findings(problem)
    work = [j for p in problems if (SOLUTIONS / p.notebook).exists() for j in execution_jobs(p, mutants)]
    with ProcessPoolExecutor(max_workers=max(1, jobs)) as pool:
        for result in pool.map(_execution_job, work):
            found += result
    if check_sync:
        chapters = sorted({p.chapter for p in problems if (SOLUTIONS / p.notebook).exists()})
        stale = set(out_of_sync(chapters))
        found += [Finding(f"{c}/", "release in sync", c not in stale,
                          "run `python -m mlpapers release`" if c in stale else "") for c in chapters]
    return found

"""Grading a whole class: discover submissions, grade in parallel, resume, record everything.

Submissions sit where ``nbgrader collect`` puts them: ``grading/submitted/<student>/<assignment>/``,
one nbgrader assignment per problem (``<id>_<slug>``). Every (student, notebook) of every
assignment that anybody handed in gets exactly one outcome. Each outcome is written to the
gradebook with its journal row (``journal.py``) in one transaction; a rerun skips notebooks whose
journal row matches the submitted file, so a killed batch resumes where it stopped and ends with
the same grades. ``grading/grades.csv`` is rebuilt from the journal, sorted, one row per
(student, notebook).

A class can be split into shards (:class:`Shard`), each graded by its own process or machine
against one shared gradebook: every (student, notebook) pair belongs to exactly one shard, decided
by a hash of its names alone, so adding students never moves a pair to another shard.
"""
from __future__ import annotations

import csv
import hashlib
import json
import multiprocessing
import os
import stat
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from mlpapers import catalog
from mlpapers.grader import journal, sandbox, warm
from mlpapers.grader.runner import Job, grade, read_regular_file
from mlpapers.notebooks import read
from mlpapers.paths import GRADING, RELEASE, SOLUTIONS

CSV_COLUMNS = ("student", "assignment", "notebook", "score", "max_score", "status", "reason")


def sha256(path: Path) -> str:
    return hashlib.sha256(read_regular_file(str(path)).encode("utf-8")).hexdigest()


def _regular(path: Path) -> bool:
    """A regular file, not a link to one (nor a FIFO or a device named like a notebook)."""
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


def _grade_ids(path: Path) -> set[str]:
    try:
        data = json.loads(read_regular_file(str(path)))
        return {c.get("metadata", {}).get("nbgrader", {}).get("grade_id") for c in data.get("cells", [])} - {None}
    except Exception:
        return set()


def find_submission(folder: Path, problem: catalog.Problem) -> tuple[Path | None, str]:
    """The student's file for ``problem``: by name, else a renamed copy recognised by its cells."""
    exact = folder / f"{problem.stem}.ipynb"
    if _regular(exact):
        return exact, ""
    others = sorted(p for p in folder.glob("*.ipynb") if _regular(p)) if folder.is_dir() else []
    wanted = _grade_ids(SOLUTIONS / problem.notebook)
    for candidate in others:
        ids = _grade_ids(candidate)
        if ids and len(ids & wanted) >= max(1, len(wanted) // 2):
            return candidate, f"handed in as {candidate.name}"
    return None, ""


def matplotlib_cache(folder: Path) -> str:
    """Build matplotlib's font cache once in ``folder`` (kernels get a copy instead of rebuilding it)."""
    import subprocess
    import sys
    folder.mkdir(parents=True, exist_ok=True)
    if not any(folder.glob("fontlist-*.json")):
        subprocess.run([sys.executable, "-c", "import matplotlib.font_manager"], check=True,
                       env={**os.environ, "MPLCONFIGDIR": str(folder)}, capture_output=True)
    return str(folder)


def handed_in(submitted: Path) -> tuple[list[str], list[catalog.Problem]]:
    """The students, and the ready problems anybody handed in, in course order.

    Folders that are symbolic links count (their rows say they are refused) but are not entered.
    """
    students = sorted(p.name for p in submitted.iterdir() if p.is_dir()) if submitted.is_dir() else []
    ready = {p.assignment: p for p in catalog.problems()
             if (SOLUTIONS / p.notebook).exists() and (RELEASE / p.released).exists()}
    names = {a.name for s in students if not (submitted / s).is_symlink()
             for a in (submitted / s).iterdir() if a.is_dir()}
    return students, [p for a, p in ready.items() if a in names]


def refusal(submitted: Path, student: str, problem: catalog.Problem) -> str:
    """Why this student's folder or file for ``problem`` is not read, or ''."""
    for path in (submitted / student, submitted / student / problem.assignment):
        if path.is_symlink():
            return f"refused: {path.relative_to(submitted.parent)} is a symbolic link"
    file = submitted / student / problem.assignment / f"{problem.stem}.ipynb"
    if (file.exists() or file.is_symlink()) and not _regular(file):
        kind = "a symbolic link" if file.is_symlink() else "not a regular file"
        return f"refused: {file.relative_to(submitted.parent)} is {kind}"
    return ""


@dataclass(frozen=True)
class Shard:
    """Shard ``index`` of ``count`` (0 <= index < count): the pairs whose hash falls to it."""
    index: int = 0
    count: int = 1

    @classmethod
    def parse(cls, spec: str) -> "Shard":
        """``"K/N"``: shard K (counted from 0, as Kubernetes' ``JOB_COMPLETION_INDEX``) of N."""
        try:
            index, count = (int(part) for part in spec.split("/"))
        except ValueError:
            raise ValueError(f"--shard must look like K/N (for instance 0/4), not {spec!r}") from None
        if count < 1 or not 0 <= index < count:
            raise ValueError(f"--shard {spec}: K must be in 0..N-1 and N at least 1")
        return cls(index, count)

    def holds(self, student: str, assignment: str) -> bool:
        """Whether the pair (student, assignment) is graded by this shard. One problem is one
        assignment holding one notebook, so this is the (student, notebook) pair."""
        digest = hashlib.sha256(f"{student}\0{assignment}".encode()).digest()
        return int.from_bytes(digest[:8], "big") % self.count == self.index


ALL = Shard()


def pairs(submitted: Path, shard: Shard = ALL) -> list[tuple[str, catalog.Problem]]:
    """(student, problem) for every student and every problem anybody handed in, in this shard."""
    students, problems = handed_in(submitted)
    return [(s, p) for p in problems for s in students if shard.holds(s, p.assignment)]


def make_jobs(submitted: Path, cell_timeout: int, memory_mib: int, shard: Shard = ALL) -> list[Job]:
    """One job per (student, problem) of ``shard`` for every problem present in ``submitted``."""
    todo = pairs(submitted, shard)
    uids = iter(sandbox.batch_uids(len(todo)))
    jobs = []
    mpl_cache = matplotlib_cache(submitted.parent / "cache" / "matplotlib")
    files_of: dict[str, list[str]] = {}
    kind_of: dict[str, str] = {}
    for student, problem in todo:
        if problem.assignment not in files_of:
            folder = RELEASE / problem.folder
            files_of[problem.assignment] = [str(p) for p in sorted(folder.iterdir())
                                            if p.is_file() and p.suffix != ".ipynb"]
            kind_of[problem.assignment] = warm.kind_of("\n".join(
                c.source for c in read(SOLUTIONS / problem.notebook).cells if c.cell_type == "code"))
        files = files_of[problem.assignment]
        refused = refusal(submitted, student, problem)
        path, note = (None, "") if refused else find_submission(submitted / student / problem.assignment, problem)
        jobs.append(Job(
            student=student, assignment=problem.assignment, notebook=problem.stem,
            submission=str(path) if path else None, source=str(SOLUTIONS / problem.notebook),
            release=str(RELEASE / problem.released), given_files=files,
            uid=next(uids), refused=refused, hide=[str(h) for h in sandbox.hidden_paths()],
            course_paths=[str(h) for h in sandbox.hidden_paths(tuple(n for n in sandbox.HIDDEN if n != "notebooks"))],
            cell_timeout=cell_timeout, memory_mib=memory_mib, mpl_cache=mpl_cache, note=note,
            warm_kind=kind_of[problem.assignment],
            submission_sha=(refused or ((sha256(path) + (f"|{note}" if note else "")) if path else "missing"))))
    return jobs


def _grade_with_fallback(job: Job) -> dict:
    try:
        return grade(job)
    except Exception as exc:  # never lose a row, whatever went wrong in the grader itself
        return {"student": job.student, "assignment": job.assignment, "notebook": job.notebook,
                "score": 0.0, "max_score": 0.0, "status": "error", "submission_sha": job.submission_sha,
                "reason": f"grader error: {type(exc).__name__}: {str(exc)[:200]}", "cells": []}


def _worker_died(job: Job) -> dict:
    return {"student": job.student, "assignment": job.assignment, "notebook": job.notebook,
            "score": 0.0, "max_score": 0.0, "status": "error", "submission_sha": job.submission_sha,
            "reason": "the grading worker died while grading this notebook (out of memory?)", "cells": []}


def _grade_pool(jobs: list[Job], workers: int, gradebook, progress) -> list[Job]:
    """Grade ``jobs`` in one pool; return those left without an outcome because the pool broke."""
    left = {id(j): j for j in jobs}
    context = multiprocessing.get_context("spawn")
    try:
        with ProcessPoolExecutor(max_workers=max(1, workers), mp_context=context) as pool:
            futures = {pool.submit(_grade_with_fallback, j): j for j in jobs}
            for future in as_completed(futures):
                outcome = future.result()  # BrokenProcessPool if a worker died
                gradebook.write(outcome)  # scores and journal row, one transaction
                left.pop(id(futures[future]))
                if progress:
                    progress(outcome)
    except BrokenProcessPool:
        pass
    return list(left.values())


def run_batch(jobs: list[Job], workers: int, gradebook, progress: Callable[[dict], None] | None = None) -> int:
    """Grade every job not yet in the journal, ``workers`` at a time; return how many were graded.

    A worker that dies (killed for memory) breaks its pool: the notebooks it left ungraded are then
    graded one per fresh pool, so the one that kills its worker again gets an error row and every
    other notebook its grade.
    """
    done = journal.graded(gradebook.db_url)
    todo = [j for j in jobs if done.get((j.student, j.assignment, j.notebook)) != j.submission_sha]
    with warm.servers({j.warm_kind for j in todo if j.submission}, str(GRADING)) as sockets:
        for job in todo:
            job.warm = sockets.get(job.warm_kind, "")
        left = _grade_pool(todo, workers, gradebook, progress)
        for job in left:
            if _grade_pool([job], 1, gradebook, progress):
                outcome = _worker_died(job)
                gradebook.write(outcome)  # scores and journal row, one transaction
                if progress:
                    progress(outcome)
    return len(todo)


def ordered(rows: Iterable[dict]) -> list[dict]:
    """Outcomes in (student, course order, notebook) order, as ``grades.csv`` lists them."""
    order = {p.assignment: i for i, p in enumerate(catalog.problems())}
    return sorted(rows, key=lambda r: (r["student"], order.get(r["assignment"], len(order)), r["notebook"]))


def write_csv(rows: list[dict], path: Path) -> None:
    """``grades.csv``: the course's fixed columns, one row per (student, notebook)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(CSV_COLUMNS)
        for r in rows:
            w.writerow([r["student"], r["assignment"], r["notebook"], f"{r['score']:g}",
                        f"{r['max_score']:g}", r["status"], r.get("reason", "")])


def lock_down(grading: Path = GRADING) -> None:
    """Only the grader (its owner) may enter ``grading/``; sandboxed kernels run as other uids."""
    grading.mkdir(parents=True, exist_ok=True)
    os.chmod(grading, 0o700)


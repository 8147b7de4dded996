"""Grading a whole class: discover submissions, grade in parallel, resume, record everything.

Submissions sit where ``nbgrader collect`` puts them: ``grading/submitted/<student>/<assignment>/``,
one nbgrader assignment per problem (``<id>_<slug>``). Every (student, notebook) of every
assignment that anybody handed in gets exactly one outcome. Each
outcome is written to the gradebook and then to a journal file (``grading/journal/``); a rerun
skips notebooks whose journal entry matches the submitted file, so a killed batch resumes where it
stopped and ends with the same grades. ``grading/grades.csv`` is rebuilt from the journal, sorted,
one row per (student, notebook).
"""
from __future__ import annotations

import csv
import hashlib
import json
import multiprocessing
import os
import stat
import tempfile
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Callable, Iterable

from mlpapers import catalog
from mlpapers.grader import sandbox
from mlpapers.grader.runner import Job, grade, read_regular_file
from mlpapers.paths import GRADING, RELEASE, ROOT, SOLUTIONS

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


def make_jobs(submitted: Path, cell_timeout: int, memory_mib: int) -> list[Job]:
    """One job per (student, problem) for every problem present in ``submitted``."""
    students, problems = handed_in(submitted)
    uids = iter(sandbox.batch_uids(len(students) * len(problems)))
    jobs = []
    mpl_cache = matplotlib_cache(submitted.parent / "cache" / "matplotlib")
    for problem in problems:
        folder = RELEASE / problem.folder
        files = [str(p) for p in sorted(folder.iterdir()) if p.is_file() and p.suffix != ".ipynb"]
        for student in students:
            refused = refusal(submitted, student, problem)
            path, note = (None, "") if refused else find_submission(submitted / student / problem.assignment, problem)
            jobs.append(Job(
                student=student, assignment=problem.assignment, notebook=problem.stem,
                submission=str(path) if path else None, source=str(SOLUTIONS / problem.notebook),
                release=str(RELEASE / problem.released), given_files=files,
                uid=next(uids), refused=refused, hide=[str(ROOT / h) for h in sandbox.HIDDEN],
                course_paths=[str(ROOT / h) for h in sandbox.HIDDEN if h != "notebooks"],
                cell_timeout=cell_timeout, memory_mib=memory_mib, mpl_cache=mpl_cache, note=note,
                submission_sha=(refused or ((sha256(path) + (f"|{note}" if note else "")) if path else "missing"))))
    return jobs


def journal_path(journal: Path, job: Job) -> Path:
    return journal / job.student / job.assignment / f"{job.notebook}.json"


def is_done(journal: Path, job: Job) -> bool:
    """True if the journal holds an outcome for exactly this submitted file."""
    path = journal_path(journal, job)
    try:
        return json.loads(path.read_text())["submission_sha"] == job.submission_sha
    except (OSError, ValueError, KeyError):
        return False


def _atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)


def record(outcome: dict, journal: Path, gradebook) -> None:
    """Gradebook first, then the journal (the journal entry is the proof a notebook is done)."""
    if gradebook is not None:
        gradebook.write(outcome)
    job_path = journal / outcome["student"] / outcome["assignment"] / f"{outcome['notebook']}.json"
    for key, suffix in (("feedback_nb", ".feedback.ipynb"), ("autograded_nb", ".autograded.ipynb")):
        page = outcome.pop(key, "")
        if page:
            _atomic_write(job_path.with_suffix(suffix), page)
    _atomic_write(job_path, json.dumps(outcome, indent=1, sort_keys=True))


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


def _grade_pool(jobs: list[Job], workers: int, journal: Path, gradebook, progress) -> list[Job]:
    """Grade ``jobs`` in one pool; return those left without an outcome because the pool broke."""
    left = {id(j): j for j in jobs}
    context = multiprocessing.get_context("spawn")
    try:
        with ProcessPoolExecutor(max_workers=max(1, workers), mp_context=context) as pool:
            futures = {pool.submit(_grade_with_fallback, j): j for j in jobs}
            for future in as_completed(futures):
                outcome = future.result()  # BrokenProcessPool if a worker died
                record(outcome, journal, gradebook)
                left.pop(id(futures[future]))
                if progress:
                    progress(outcome)
    except BrokenProcessPool:
        pass
    return list(left.values())


def run_batch(jobs: list[Job], workers: int, journal: Path, gradebook=None,
              progress: Callable[[dict], None] | None = None) -> int:
    """Grade every job not yet in the journal, ``workers`` at a time; return how many were graded.

    A worker that dies (killed for memory) breaks its pool: the notebooks it left ungraded are then
    graded one per fresh pool, so the one that kills its worker again gets an error row and every
    other notebook its grade.
    """
    todo = [j for j in jobs if not is_done(journal, j)]
    left = _grade_pool(todo, workers, journal, gradebook, progress)
    for job in left:
        if _grade_pool([job], 1, journal, gradebook, progress):
            outcome = _worker_died(job)
            record(outcome, journal, gradebook)
            if progress:
                progress(outcome)
    return len(todo)


def outcomes(journal: Path, jobs: Iterable[Job]) -> list[dict]:
    """The journaled outcome of every job, in (student, assignment, notebook) order."""
    rows = [json.loads(journal_path(journal, j).read_text()) for j in jobs if journal_path(journal, j).exists()]
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


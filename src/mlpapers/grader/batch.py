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
import tempfile
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Callable, Iterable

from mlpapers import catalog
from mlpapers.grader.runner import Job, grade
from mlpapers.paths import GRADING, RELEASE, ROOT, SOLUTIONS

CSV_COLUMNS = ("student", "assignment", "notebook", "score", "max_score", "status", "reason")
FIRST_UID = 61000  # unprivileged uids, one per notebook in flight, so sandboxes cannot see each other
HIDDEN = ("solutions", "grading", ".git", "tests", "build", "notebooks")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _grade_ids(path: Path) -> set[str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {c.get("metadata", {}).get("nbgrader", {}).get("grade_id") for c in data.get("cells", [])} - {None}
    except Exception:
        return set()


def find_submission(folder: Path, problem: catalog.Problem) -> tuple[Path | None, str]:
    """The student's file for ``problem``: by name, else a renamed copy recognised by its cells."""
    exact = folder / f"{problem.stem}.ipynb"
    if exact.is_file():
        return exact, ""
    others = sorted(folder.glob("*.ipynb")) if folder.is_dir() else []
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
    """The students, and the ready problems anybody handed in, in course order."""
    students = sorted(p.name for p in submitted.iterdir() if p.is_dir()) if submitted.is_dir() else []
    ready = {p.assignment: p for p in catalog.problems()
             if (SOLUTIONS / p.notebook).exists() and (RELEASE / p.released).exists()}
    names = {a.name for s in students for a in (submitted / s).iterdir() if a.is_dir()}
    return students, [p for a, p in ready.items() if a in names]


def make_jobs(submitted: Path, cell_timeout: int, memory_mib: int) -> list[Job]:
    """One job per (student, problem) for every problem present in ``submitted``."""
    students, problems = handed_in(submitted)
    jobs = []
    mpl_cache = matplotlib_cache(submitted.parent / "cache" / "matplotlib")
    for problem in problems:
        folder = RELEASE / problem.folder
        files = [str(p) for p in sorted(folder.iterdir()) if p.is_file() and p.suffix != ".ipynb"]
        for student in students:
            path, note = find_submission(submitted / student / problem.assignment, problem)
            jobs.append(Job(
                student=student, assignment=problem.assignment, notebook=problem.stem,
                submission=str(path) if path else None, source=str(SOLUTIONS / problem.notebook),
                release=str(RELEASE / problem.released), given_files=files,
                uid=FIRST_UID + len(jobs) % 20000, hide=[str(ROOT / h) for h in HIDDEN],
                course_paths=[str(ROOT / h) for h in HIDDEN if h != "notebooks"],
                cell_timeout=cell_timeout, memory_mib=memory_mib, mpl_cache=mpl_cache, note=note,
                submission_sha=(sha256(path) + (f"|{note}" if note else "")) if path else "missing"))
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
    page = outcome.pop("feedback_nb", "")
    if page:
        _atomic_write(job_path.with_suffix(".feedback.ipynb"), page)
    _atomic_write(job_path, json.dumps(outcome, indent=1, sort_keys=True))


def _grade_with_fallback(job: Job) -> dict:
    try:
        return grade(job)
    except Exception as exc:  # never lose a row, whatever went wrong in the grader itself
        return {"student": job.student, "assignment": job.assignment, "notebook": job.notebook,
                "score": 0.0, "max_score": 0.0, "status": "error", "submission_sha": job.submission_sha,
                "reason": f"grader error: {type(exc).__name__}: {str(exc)[:200]}", "cells": []}


def run_batch(jobs: list[Job], workers: int, journal: Path, gradebook=None,
              progress: Callable[[dict], None] | None = None) -> int:
    """Grade every job not yet in the journal, ``workers`` at a time; return how many were graded."""
    todo = [j for j in jobs if not is_done(journal, j)]
    if not todo:
        return 0
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=max(1, workers), mp_context=context) as pool:
        futures = [pool.submit(_grade_with_fallback, j) for j in todo]
        for future in as_completed(futures):
            outcome = future.result()
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


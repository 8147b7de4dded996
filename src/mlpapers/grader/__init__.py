"""Autograding a class: isolated, parallel, resumable, and nothing lost.

``autograde()`` grades ``grading/submitted/<student>/<assignment>/*.ipynb`` (one nbgrader assignment
per problem, see ``batch.py``), each
notebook in its own sandboxed kernel (``sandbox.py``) with its test cells run outside it by the
judge (``mlpapers.judge``), into the gradebook
(``gradebook.py``), a journal and ``grading/grades.csv``, and puts each graded notebook where
nbgrader's formgrader opens it (``grading/autograded/``); ``feedback()`` publishes the HTML pages
(``feedback.py``) into ``grading/feedback/``.
"""
from __future__ import annotations

import os

from mlpapers.paths import GRADING

__all__ = ["autograde", "default_workers", "feedback", "publish_autograded"]
# Imports of the heavy modules stay inside the functions: the sandbox launcher
# (``python -m mlpapers.grader.sandbox``) runs once per kernel and must start fast.


def default_workers() -> int:
    """One worker more than cores: a kernel that is starting up mostly waits."""
    return (os.cpu_count() or 1) + 1


def autograde(workers: int | None = None, cell_timeout: int | None = None, memory_mib: int = 3072,
              progress=None) -> list[dict]:
    """Grade everything not yet graded; return all outcomes (one per student and notebook)."""
    from mlpapers.grader.batch import lock_down, make_jobs, outcomes, run_batch, write_csv
    from mlpapers.grader.gradebook import GradebookWriter, Registrations, course_config
    from mlpapers.grader.sandbox import sweep
    lock_down()
    sweep()  # kernels a killed batch may have left running
    cell_timeout = cell_timeout or int(course_config().Execute.timeout or 60)
    jobs = make_jobs(GRADING / "submitted", cell_timeout, memory_mib)
    registrations = Registrations(list(dict.fromkeys(j.assignment for j in jobs)))
    journal = GRADING / "journal"
    try:
        with GradebookWriter(registrations=registrations) as gradebook:
            run_batch(jobs, workers or default_workers(), journal, gradebook, progress)
    finally:  # whatever happened, grades.csv holds every notebook graded so far
        rows = outcomes(journal, jobs)
        write_csv(rows, GRADING / "grades.csv")
        publish_autograded()
    return rows


def publish_autograded() -> int:
    """Put every graded notebook where nbgrader's formgrader opens it: ``grading/autograded/<student>/<assignment>/``.

    The notebooks come from the journal (the grader writes nothing else during a batch); beside
    them go the submission's ``timestamp.txt`` and the problem's released files (its figures, its
    given module), as ``nbgrader autograde`` leaves them, so the formgrader shows the notebook's
    images. Returns how many notebooks are there.
    """
    import shutil

    from mlpapers import catalog
    from mlpapers.paths import RELEASE
    journal = GRADING / "journal"
    count = 0
    for page in sorted(journal.glob("*/*/*.autograded.ipynb")):
        rel = page.relative_to(journal)
        dest = GRADING / "autograded" / rel.parent / page.name.replace(".autograded.ipynb", ".ipynb")
        if not dest.exists() or dest.stat().st_mtime < page.stat().st_mtime:
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(page, dest)
            try:
                released = RELEASE / catalog.by_assignment(rel.parent.name).folder
            except (KeyError, ValueError):
                released = None
            if released is not None and released.is_dir():
                shutil.copytree(released, dest.parent, dirs_exist_ok=True,
                                ignore=shutil.ignore_patterns("*.ipynb", "__pycache__", ".ipynb_checkpoints"))
        stamp = GRADING / "submitted" / rel.parent / "timestamp.txt"
        if stamp.is_file() and not stamp.is_symlink():
            shutil.copyfile(stamp, dest.parent / "timestamp.txt")
        count += 1
    return count


#: what nbgrader's ``release_feedback`` reads beside the pages: when the student submitted, and the
#: submission's secret, from which the exchange names the page only that student can fetch
EXCHANGE_FILES = ("timestamp.txt", "submission_secret.txt")


def feedback() -> int:
    """Render every graded notebook's feedback page into ``grading/feedback/<student>/<assignment>/``.

    Pages already newer than their graded notebook are kept; returns how many pages exist. Beside
    the pages go the submission's ``timestamp.txt`` and ``submission_secret.txt`` (``nbgrader
    collect`` keeps both), so ``nbgrader release_feedback`` (``make return-feedback``) can deliver
    these pages through the exchange.
    """
    import shutil

    import nbformat

    from mlpapers.grader.feedback import render_html
    journal = GRADING / "journal"
    count = 0
    for page in sorted(journal.glob("*/*/*.feedback.ipynb")):
        rel = page.relative_to(journal)
        dest = GRADING / "feedback" / rel.parent / page.name.replace(".feedback.ipynb", ".html")
        if not dest.exists() or dest.stat().st_mtime < page.stat().st_mtime:
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_text(render_html(nbformat.read(str(page), as_version=4)), encoding="utf-8")
        for name in EXCHANGE_FILES:
            source = GRADING / "submitted" / rel.parent / name
            if source.is_file() and not source.is_symlink():
                shutil.copyfile(source, dest.parent / name)
        count += 1
    return count

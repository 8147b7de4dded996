"""Autograding a class: isolated, parallel, resumable, and nothing lost.

``autograde()`` grades ``grading/submitted/<student>/<assignment>/*.ipynb`` (one nbgrader assignment
per problem, see ``batch.py``), each
notebook in its own sandboxed kernel (``sandbox.py``) with its test cells run outside it by the
judge (``mlpapers.judge``), into the gradebook
(``gradebook.py``) with its journal row (``journal.py``), rebuilds ``grading/grades.csv`` from the
journal, and puts each graded notebook where nbgrader's formgrader opens it
(``grading/autograded/``); ``feedback()`` publishes the HTML pages (``feedback.py``) into
``grading/feedback/``. With a shard (``"K/N"``) it grades only that shard's pairs; N shards on N
machines sharing one PostgreSQL gradebook grade the class once.
"""
from __future__ import annotations

import os

from mlpapers.paths import GRADING

__all__ = ["autograde", "default_workers", "feedback", "publish_autograded", "write_grades"]
# Imports of the heavy modules stay inside the functions: the sandbox launcher
# (``python -m mlpapers.grader.sandbox``) runs once per kernel and must start fast.


def default_workers() -> int:
    """One worker more than cores: a kernel that is starting up mostly waits."""
    return (os.cpu_count() or 1) + 1


def autograde(workers: int | None = None, cell_timeout: int | None = None, memory_mib: int = 3072,
              progress=None, shard: str | None = None) -> list[dict]:
    """Grade everything not yet graded (of one shard, ``"K/N"``, if given); return the outcomes of
    the whole class that the journal holds, as written to ``grades.csv``."""
    from mlpapers.grader.batch import ALL, Shard, lock_down, make_jobs, run_batch
    from mlpapers.grader.gradebook import GradebookWriter, Registrations, course_config, db_url, open_gradebook
    from mlpapers.grader.sandbox import preflight, sweep
    part = Shard.parse(shard) if shard else ALL
    if part.count > 1 and not db_url().startswith("postgresql"):
        raise ValueError("grading in shards needs one gradebook that every shard reaches: set COURSE_DB_URL "
                         "to a PostgreSQL URL (postgresql+psycopg2://user:password@host/db)")
    preflight()
    lock_down()
    sweep()  # kernels a killed batch may have left running
    cell_timeout = cell_timeout or int(course_config().Execute.timeout or 60)
    jobs = make_jobs(GRADING / "submitted", cell_timeout, memory_mib, part)
    everyone = this_class()
    open_gradebook(sorted({student for student, _ in everyone or ()}))
    registrations = Registrations(list(dict.fromkeys(j.assignment for j in jobs)))
    try:
        with GradebookWriter(registrations=registrations) as gradebook:
            run_batch(jobs, workers or default_workers(), gradebook, progress)
    finally:  # whatever happened, grades.csv holds every notebook graded so far, by any shard
        rows = write_grades(everyone)
        publish_autograded({(j.student, j.assignment) for j in jobs})
    return rows


def class_pairs() -> set[tuple[str, str]]:
    """(student, assignment) of every notebook the class is graded on: each student, each problem
    that anybody handed in."""
    from mlpapers.grader.batch import pairs
    return {(student, problem.assignment) for student, problem in pairs(GRADING / "submitted")}


def this_class() -> set[tuple[str, str]] | None:
    """The pairs of the class in ``grading/submitted/``, or None (everybody in the journal) on a
    machine without the submissions. One gradebook may hold other classes' notebooks too."""
    return class_pairs() if (GRADING / "submitted").is_dir() else None


def write_grades(pairs: set[tuple[str, str]] | None = None) -> list[dict]:
    """Rebuild ``grading/grades.csv`` from the journal (any machine that reaches the gradebook can),
    for ``pairs``, or else :func:`this_class`; return its rows."""
    from mlpapers.grader import journal
    from mlpapers.grader.batch import ordered, write_csv
    from mlpapers.grader.gradebook import db_url
    rows = ordered(journal.outcomes(db_url(), this_class() if pairs is None else pairs))
    write_csv(rows, GRADING / "grades.csv")
    return rows


def _publish(column: str, folder: str, suffix: str, render, side_files: tuple[str, ...],
             pairs: set[tuple[str, str]] | None) -> int:
    """Write each journaled ``column`` notebook (of ``pairs``, or all) as
    ``grading/<folder>/<student>/<assignment>/<notebook><suffix>`` through ``render``, with the
    submission's ``side_files`` beside it; pages newer than their journal row are kept. Returns how
    many pages there are."""
    import shutil

    from mlpapers.grader import journal
    from mlpapers.grader.gradebook import db_url
    count = 0
    for student, assignment, notebook, text, recorded in journal.pages(db_url(), column, pairs):
        dest = GRADING / folder / student / assignment / f"{notebook}{suffix}"
        if not dest.exists() or dest.stat().st_mtime < recorded:
            dest.parent.mkdir(parents=True, exist_ok=True)
            render(text, dest)
        for name in side_files:
            source = GRADING / "submitted" / student / assignment / name
            if source.is_file() and not source.is_symlink():
                shutil.copyfile(source, dest.parent / name)
        count += 1
    return count


def publish_autograded(pairs: set[tuple[str, str]] | None = None) -> int:
    """Put every graded notebook (of ``pairs``, or of :func:`this_class`) where nbgrader's formgrader opens it:
    ``grading/autograded/<student>/<assignment>/``.

    The notebooks come from the journal; beside them go the submission's ``timestamp.txt`` and the
    problem's released files (its figures, its given module), as ``nbgrader autograde`` leaves them,
    so the formgrader shows the notebook's images. Returns how many notebooks are there.
    """
    import shutil

    from mlpapers import catalog
    from mlpapers.paths import RELEASE

    def write(text: str, dest) -> None:
        dest.write_text(text, encoding="utf-8")
        try:
            released = RELEASE / catalog.by_assignment(dest.parent.name).folder
        except (KeyError, ValueError):
            return
        if released.is_dir():
            shutil.copytree(released, dest.parent, dirs_exist_ok=True,
                            ignore=shutil.ignore_patterns("*.ipynb", "__pycache__", ".ipynb_checkpoints"))

    return _publish("autograded", "autograded", ".ipynb", write, ("timestamp.txt",),
                    this_class() if pairs is None else pairs)


#: what nbgrader's ``release_feedback`` reads beside the pages: when the student submitted, and the
#: submission's secret, from which the exchange names the page only that student can fetch
EXCHANGE_FILES = ("timestamp.txt", "submission_secret.txt")


def feedback() -> int:
    """Render every graded notebook's feedback page into ``grading/feedback/<student>/<assignment>/``.

    Pages already newer than their journal row are kept; returns how many pages exist (of
    :func:`this_class`). Beside
    the pages go the submission's ``timestamp.txt`` and ``submission_secret.txt`` (``nbgrader
    collect`` keeps both), so ``nbgrader release_feedback`` (``make return-feedback``) can deliver
    these pages through the exchange.
    """
    import nbformat

    from mlpapers.grader.feedback import render_html

    def write(text: str, dest) -> None:
        dest.write_text(render_html(nbformat.reads(text, as_version=4)), encoding="utf-8")

    return _publish("feedback", "feedback", ".html", write, EXCHANGE_FILES, this_class())

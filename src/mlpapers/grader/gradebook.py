"""Writing outcomes into nbgrader's gradebook (SQLite by default, PostgreSQL via COURSE_DB_URL).

The chapter is registered with ``nbgrader generate_assignment`` (cells, points, checksums), then
each outcome sets the auto score of every graded cell of that student's submission, so nbgrader's
formgrader, ``nbgrader export`` and manual grading all see the same numbers as ``grades.csv``.
Writes are idempotent: grading a notebook again overwrites its scores.
"""
from __future__ import annotations

import tempfile
import threading

from mlpapers.nbgrader_cli import run_nbgrader


def course_config():
    """The traitlets config loaded from ``grader_config.py``."""
    from traitlets.config.loader import PyFileConfigLoader

    from mlpapers.paths import GRADER_CONFIG
    return PyFileConfigLoader(GRADER_CONFIG.name, path=str(GRADER_CONFIG.parent)).load_config()


def register(chapter: str) -> None:
    """Record the chapter's source notebooks in the gradebook."""
    with tempfile.TemporaryDirectory(prefix="mlpapers-register-") as tmp:
        run_nbgrader("generate_assignment", chapter, "--force", f"--CourseDirectory.release_directory={tmp}")


class Registrations:
    """Register chapters one after another in a background thread, while grading already runs.

    Registering a chapter takes seconds (nbgrader reads and checksums every source notebook);
    the first outcome of a chapter waits for it with :meth:`wait`.
    """

    def __init__(self, chapters: list[str]):
        self.done = {chapter: threading.Event() for chapter in chapters}
        self.errors: dict[str, BaseException] = {}
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        for chapter, event in self.done.items():
            try:
                register(chapter)
            except BaseException as exc:  # reported to whoever waits for this chapter
                self.errors[chapter] = exc
            event.set()

    def wait(self, chapter: str) -> None:
        """Block until ``chapter`` is registered; raise if registering it failed."""
        self.done[chapter].wait()
        if chapter in self.errors:
            raise RuntimeError(f"could not register chapter {chapter} in the gradebook") from self.errors[chapter]


class GradebookWriter:
    """An open gradebook that records outcomes (use as a context manager)."""

    def __init__(self, db_url: str | None = None, registrations: Registrations | None = None):
        cfg = course_config()
        self.db_url = db_url or cfg.CourseDirectory.db_url
        self.course_id = cfg.CourseDirectory.course_id
        self.registrations = registrations

    def __enter__(self) -> "GradebookWriter":
        self.gb = None  # opened on first use: a registration may be creating the database right now
        return self

    def __exit__(self, *exc) -> None:
        if self.gb is not None:
            self.gb.close()

    def _open(self):
        if self.gb is None:
            from nbgrader.api import Gradebook
            self.gb = Gradebook(self.db_url, self.course_id)
        return self.gb

    def write(self, outcome: dict) -> None:
        """Set the auto scores of one (student, notebook) outcome."""
        from nbgrader.api import MissingEntry
        student, assignment = outcome["student"], outcome["assignment"]
        if self.registrations is not None:
            self.registrations.wait(assignment)
        gb = self._open()
        gb.update_or_create_student(student)
        try:
            gb.find_submission(assignment, student)
        except MissingEntry:
            gb.add_submission(assignment, student)
        for cell in outcome.get("cells", []):
            grade = gb.find_grade(cell["grade_id"], outcome["notebook"], assignment, student)
            grade.auto_score = cell["score"]
            grade.manual_score = None
        gb.db.commit()

    def scores(self) -> dict[tuple[str, str, str], float]:
        """(student, assignment, notebook) -> score, as the gradebook computes it."""
        out = {}
        gb = self._open()
        for assignment in gb.assignments:
            for sub in gb.assignment_submissions(assignment.name):
                for nb in sub.notebooks:
                    out[(sub.student_id, assignment.name, nb.name)] = float(nb.score)
        return out

"""Writing outcomes into nbgrader's gradebook (SQLite by default, PostgreSQL via COURSE_DB_URL).

The chapter is registered with ``nbgrader generate_assignment`` (cells, points, checksums), then
each outcome sets the auto score of every graded cell of that student's submission, so nbgrader's
formgrader, ``nbgrader export`` and manual grading all see the same numbers as ``grades.csv``.
Writes are idempotent: grading a notebook again overwrites its scores.
"""
from __future__ import annotations

import tempfile

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


class GradebookWriter:
    """An open gradebook that records outcomes (use as a context manager)."""

    def __init__(self, db_url: str | None = None):
        cfg = course_config()
        self.db_url = db_url or cfg.CourseDirectory.db_url
        self.course_id = cfg.CourseDirectory.course_id

    def __enter__(self) -> "GradebookWriter":
        from nbgrader.api import Gradebook
        self.gb = Gradebook(self.db_url, self.course_id)
        return self

    def __exit__(self, *exc) -> None:
        self.gb.close()

    def write(self, outcome: dict) -> None:
        """Set the auto scores of one (student, notebook) outcome."""
        from nbgrader.api import MissingEntry
        gb, student, assignment = self.gb, outcome["student"], outcome["assignment"]
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
        for assignment in self.gb.assignments:
            for sub in self.gb.assignment_submissions(assignment.name):
                for nb in sub.notebooks:
                    out[(sub.student_id, assignment.name, nb.name)] = float(nb.score)
        return out

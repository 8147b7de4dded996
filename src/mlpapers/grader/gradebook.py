"""Writing outcomes into nbgrader's gradebook (SQLite by default, PostgreSQL via COURSE_DB_URL).

Each problem (one nbgrader assignment) is registered with ``nbgrader generate_assignment`` from
its staged source folder (cells, points, checksums), then
each outcome sets the auto score of every graded cell of that student's submission, so nbgrader's
formgrader, ``nbgrader export`` and manual grading all see the same numbers as ``grades.csv``.
Writes are idempotent: grading a notebook again overwrites its scores. Each notebook's journal row
(``journal.py``) is written in the same transaction as its scores.

Several grading machines (shards) may share one PostgreSQL gradebook: whatever two of them could
both create (the tables, a student, an assignment's cells) is created under the gradebook's setup
lock (:func:`mlpapers.grader.journal.setup_lock`); everything else a shard writes belongs to its own
(student, notebook) pairs.
"""
from __future__ import annotations

import tempfile
import threading

from mlpapers.grader import journal
from mlpapers.nbgrader_cli import run_nbgrader


def course_config():
    """The traitlets config loaded from ``grader_config.py``."""
    from traitlets.config.loader import PyFileConfigLoader

    from mlpapers.paths import GRADER_CONFIG
    return PyFileConfigLoader(GRADER_CONFIG.name, path=str(GRADER_CONFIG.parent)).load_config()


def db_url() -> str:
    """The gradebook's SQLAlchemy URL, from ``grader_config.py`` (``COURSE_DB_URL`` or SQLite)."""
    return course_config().CourseDirectory.db_url


def open_gradebook(students: list[str], url: str | None = None) -> None:
    """Create the gradebook's tables (nbgrader's and the journal's) and these students, if missing.

    Under the setup lock: shards that start at the same moment would otherwise both create them.
    """
    from nbgrader.api import Gradebook
    url = url or db_url()
    with journal.setup_lock(url):
        gb = Gradebook(url, course_config().CourseDirectory.course_id)
        try:
            journal.create(gb.db)
            known = {s.id for s in gb.students}
            for student in students:
                if student not in known:
                    gb.add_student(student)
            gb.db.commit()
        finally:
            gb.close()


def register(assignments: list[str]) -> None:
    """Record these problems' source notebooks in the gradebook (one nbgrader run for all, under
    the gradebook's setup lock)."""
    from mlpapers.catalog import by_assignment
    from mlpapers.release import staged_sources
    if not assignments:
        return
    pattern = assignments[0] if len(assignments) == 1 else "*"
    with journal.setup_lock(db_url()), staged_sources([by_assignment(a) for a in assignments]) as source, \
            tempfile.TemporaryDirectory(prefix="mlpapers-register-") as tmp:
        run_nbgrader("generate_assignment", pattern, "--force", f"--CourseDirectory.source_directory={source}",
                     f"--CourseDirectory.release_directory={tmp}")


class Registrations:
    """Register the batch's assignments in a background thread, while grading already runs.

    Registering takes seconds (one nbgrader process reads and checksums every source); the first
    outcome to be recorded waits for it with :meth:`wait`.
    """

    def __init__(self, assignments: list[str]):
        self.assignments = assignments
        self.done = threading.Event()
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            register(self.assignments)
        except BaseException as exc:  # reported to whoever waits
            self.error = exc
        self.done.set()

    def wait(self, assignment: str) -> None:
        """Block until the assignments are registered; raise if registering failed."""
        self.done.wait()
        if self.error is not None:
            raise RuntimeError(f"could not register {assignment} in the gradebook") from self.error


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
        """Set the auto scores of one (student, notebook) outcome and write its journal row, in one
        transaction. The student exists already (:func:`open_gradebook`)."""
        from nbgrader.api import MissingEntry
        student, assignment = outcome["student"], outcome["assignment"]
        if self.registrations is not None:
            self.registrations.wait(assignment)
        gb = self._open()
        try:
            gb.find_submission(assignment, student)
        except MissingEntry:
            gb.add_submission(assignment, student)
        for cell in outcome.get("cells", []):
            grade = gb.find_grade(cell["grade_id"], outcome["notebook"], assignment, student)
            grade.auto_score = cell["score"]
            grade.manual_score = None
        journal.write(gb.db, outcome)
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

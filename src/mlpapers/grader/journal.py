"""The grading journal: one row per (student, assignment, notebook), in the gradebook's own database.

The journal is what makes grading resumable and shardable. Each row holds the outcome of one
notebook, the hash of the submitted file it was graded from, and the two notebooks made from it
(the graded notebook for the formgrader, the feedback notebook for the student's page). It lives
in the database that holds nbgrader's gradebook (SQLite in ``grading/`` by default, a shared
PostgreSQL through ``COURSE_DB_URL``), and a row is written in the same transaction as that
notebook's scores (:meth:`mlpapers.grader.gradebook.GradebookWriter.write`): a notebook either
has both its scores and its journal row or neither. So a grading run that is killed and rerun,
on this machine or another one, grades exactly the notebooks without a row for their current
file, and any machine that reaches the database can rebuild ``grades.csv``.
"""
from __future__ import annotations

import json
import time
from contextlib import contextmanager
from typing import Iterable, Iterator

from sqlalchemy import create_engine, text

TABLE = "mlpapers_journal"
KEY = ("student", "assignment", "notebook")
PAGES = {"autograded": "autograded_nb", "feedback": "feedback_nb"}  # column -> key in an outcome

CREATE = f"""CREATE TABLE IF NOT EXISTS {TABLE} (
    student TEXT NOT NULL, assignment TEXT NOT NULL, notebook TEXT NOT NULL,
    submission_sha TEXT NOT NULL, outcome TEXT NOT NULL, autograded TEXT, feedback TEXT,
    recorded DOUBLE PRECISION NOT NULL, PRIMARY KEY (student, assignment, notebook))"""

# Both SQLite (3.24 on) and PostgreSQL take this upsert.
UPSERT = text(f"""INSERT INTO {TABLE}
    (student, assignment, notebook, submission_sha, outcome, autograded, feedback, recorded)
    VALUES (:student, :assignment, :notebook, :submission_sha, :outcome, :autograded, :feedback, :recorded)
    ON CONFLICT (student, assignment, notebook) DO UPDATE SET
    submission_sha = excluded.submission_sha, outcome = excluded.outcome, autograded = excluded.autograded,
    feedback = excluded.feedback, recorded = excluded.recorded""")

#: PostgreSQL advisory lock key under which shards set the gradebook up one at a time ("mlpa")
SETUP_LOCK = 0x6D6C7061


def create(connection) -> None:
    """Create the journal's table if it is not there (on an open SQLAlchemy connection or session)."""
    connection.execute(text(CREATE))


def entry(outcome: dict) -> dict:
    """The journal row for ``outcome`` (the outcome's page notebooks go to their own columns)."""
    kept = {k: v for k, v in outcome.items() if k not in PAGES.values()}
    return {**{k: outcome[k] for k in KEY}, "submission_sha": outcome.get("submission_sha", ""),
            "outcome": json.dumps(kept, sort_keys=True),
            **{column: outcome.get(key) or None for column, key in PAGES.items()}, "recorded": time.time()}


def write(session, outcome: dict) -> None:
    """Add or replace ``outcome``'s row inside the caller's transaction (the caller commits)."""
    session.execute(UPSERT, entry(outcome))


@contextmanager
def _connection(db_url: str):
    engine = create_engine(db_url, future=True)
    try:
        with engine.connect() as connection:
            create(connection)
            connection.commit()
            yield connection
    finally:
        engine.dispose()


@contextmanager
def setup_lock(db_url: str):
    """Hold the gradebook's setup lock while the block runs, so shards that start together create
    tables, students and assignments one after the other (a PostgreSQL advisory lock; SQLite is
    one machine's file and one grading run's, and needs none)."""
    if not db_url.startswith("postgresql"):
        yield
        return
    engine = create_engine(db_url, future=True)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": SETUP_LOCK})
            try:
                yield
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": SETUP_LOCK})
                connection.commit()
    finally:
        engine.dispose()


def graded(db_url: str) -> dict[tuple[str, str, str], str]:
    """(student, assignment, notebook) -> the hash of the file its journal row was graded from."""
    with _connection(db_url) as c:
        return {tuple(r[:3]): r[3] for r in c.execute(text(
            f"SELECT student, assignment, notebook, submission_sha FROM {TABLE}"))}


def outcomes(db_url: str, pairs: Iterable[tuple[str, str]] | None = None) -> list[dict]:
    """The journaled outcomes, of the given (student, assignment) pairs or of all."""
    wanted = None if pairs is None else set(pairs)
    with _connection(db_url) as c:
        rows = [json.loads(r[2]) for r in c.execute(text(f"SELECT student, assignment, outcome FROM {TABLE}"))
                if wanted is None or (r[0], r[1]) in wanted]
    return rows


def pages(db_url: str, column: str, pairs: Iterable[tuple[str, str]] | None = None
          ) -> Iterator[tuple[str, str, str, str, float]]:
    """(student, assignment, notebook, notebook JSON, when recorded) for each row with a page in
    ``column`` (``"autograded"`` or ``"feedback"``), of the given (student, assignment) pairs or of all."""
    if column not in PAGES:
        raise ValueError(f"column must be one of {sorted(PAGES)}, not {column!r}")
    wanted = None if pairs is None else set(pairs)
    with _connection(db_url) as c:
        result = c.execute(text(f"SELECT student, assignment, notebook, {column}, recorded FROM {TABLE} "
                                f"WHERE {column} IS NOT NULL ORDER BY student, assignment, notebook"))
        for student, assignment, notebook, page, recorded in result:
            if wanted is None or (student, assignment) in wanted:
                yield student, assignment, notebook, page, float(recorded)

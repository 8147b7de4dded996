"""Autograding submitted notebooks into the gradebook and ``grading/grades.csv``.

Layout (nbgrader's): ``grading/submitted/<student>/<chapter>/<id>_<slug>.ipynb``. Each chapter
present in the submissions is first registered in the gradebook from ``solutions/`` (so hidden
tests and locked cells are known), then nbgrader autogrades it, then one CSV row is written per
(student, notebook of the chapter), a notebook that was not handed in included.
"""
from __future__ import annotations

import csv
import tempfile
from dataclasses import dataclass
from pathlib import Path

from mlpapers import catalog
from mlpapers.nbgrader_cli import run_nbgrader
from mlpapers.paths import GRADING

CSV_COLUMNS = ("student", "assignment", "notebook", "score", "max_score", "status")


@dataclass
class GradeRow:
    """One (student, notebook) outcome."""
    student: str
    assignment: str
    notebook: str
    score: float
    max_score: float
    status: str


def submissions(submitted: Path | None = None) -> dict[str, list[str]]:
    """chapter -> students who handed in a folder for it."""
    submitted = submitted or GRADING / "submitted"
    found: dict[str, list[str]] = {}
    for folder in sorted(submitted.glob("*/*")):
        if folder.is_dir():
            found.setdefault(folder.name, []).append(folder.parent.name)
    return found


def register(chapter: str) -> None:
    """Record the chapter's source notebooks (cells, points, checksums) in the gradebook."""
    with tempfile.TemporaryDirectory(prefix="mlpapers-register-") as tmp:
        run_nbgrader("generate_assignment", chapter, "--force",
                     f"--CourseDirectory.release_directory={tmp}")


def gradebook_rows(chapter: str, students: list[str]) -> list[GradeRow]:
    """Rows for every (student, notebook) of ``chapter``, read from the gradebook."""
    from nbgrader.api import Gradebook, MissingEntry
    from traitlets.config.loader import PyFileConfigLoader

    from mlpapers.paths import GRADER_CONFIG

    cfg = PyFileConfigLoader(GRADER_CONFIG.name, path=str(GRADER_CONFIG.parent)).load_config()
    rows = []
    with Gradebook(cfg.CourseDirectory.db_url, cfg.CourseDirectory.course_id) as gb:
        for student in students:
            for p in catalog.problems(chapter):
                try:
                    nb = gb.find_submission_notebook(p.stem, chapter, student)
                    rows.append(GradeRow(student, chapter, p.stem, nb.score, nb.max_score, "graded"))
                except MissingEntry:
                    rows.append(GradeRow(student, chapter, p.stem, 0.0, float(p.points), "missing"))
    return rows


def autograde() -> list[GradeRow]:
    """Grade every submission and write ``grading/grades.csv``."""
    rows: list[GradeRow] = []
    for chapter, students in submissions().items():
        register(chapter)
        run_nbgrader("autograde", chapter, "--force", check=False)
        rows += gradebook_rows(chapter, students)
    write_csv(rows, GRADING / "grades.csv")
    return rows


def write_csv(rows: list[GradeRow], path: Path) -> None:
    """Write the rows with the course's fixed columns."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(CSV_COLUMNS)
        for r in rows:
            w.writerow([r.student, r.assignment, r.notebook, f"{r.score:g}", f"{r.max_score:g}", r.status])


def feedback() -> None:
    """Write HTML feedback for every autograded submission into ``grading/feedback/``."""
    for chapter in submissions():
        run_nbgrader("generate_feedback", chapter, "--force")

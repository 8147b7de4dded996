"""`make autograde` / `make feedback` on honest submissions: a solved chapter earns full marks,
an untouched one zero, and grades.csv says so."""
import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mlpapers import catalog
from mlpapers.paths import ROOT
from mlpapers.submissions import solved_copy, untouched_copy, write_submission

pytestmark = pytest.mark.notebooks
CHAPTER = "turboquant"


def make_course(tmp: Path) -> Path:
    """A throwaway course root: the configuration, sources and release, and an empty grading/."""
    root = tmp / "course"
    root.mkdir()
    for name in ("grader_config.py", "nbgrader_config.py"):
        shutil.copy(ROOT / name, root / name)
    for folder in ("solutions", "release"):
        shutil.copytree(ROOT / folder, root / folder)
    return root


def run_cli(root: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, MLPAPERS_ROOT=str(root))
    proc = subprocess.run([sys.executable, "-m", "mlpapers", *args], cwd=root, env=env,
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = make_course(tmp_path_factory.mktemp("grading"))
    for p in catalog.problems(CHAPTER):
        write_submission(solved_copy(p), root / "grading" / "submitted" / "alice" / CHAPTER / f"{p.stem}.ipynb")
        write_submission(untouched_copy(p), root / "grading" / "submitted" / "bob" / CHAPTER / f"{p.stem}.ipynb")
    run_cli(root, "autograde")
    with (root / "grading" / "grades.csv").open() as f:
        rows = list(csv.DictReader(f))
    return root, rows


def test_csv_has_the_course_columns_and_a_row_per_notebook(graded):
    root, rows = graded
    header = (root / "grading" / "grades.csv").read_text().splitlines()[0]
    assert header == "student,assignment,notebook,score,max_score,status"
    assert len(rows) == 2 * len(catalog.problems(CHAPTER))


def test_solved_chapter_earns_full_marks_and_untouched_earns_zero(graded):
    _, rows = graded
    points = {p.stem: p.points for p in catalog.problems(CHAPTER)}
    for r in rows:
        assert r["status"] == "graded", r
        assert float(r["max_score"]) == points[r["notebook"]], r
        expected = points[r["notebook"]] if r["student"] == "alice" else 0
        assert float(r["score"]) == expected, r


def test_feedback_is_written_for_each_student(graded):
    root, _ = graded
    run_cli(root, "feedback")
    for student in ("alice", "bob"):
        html = sorted((root / "grading" / "feedback" / student / CHAPTER).glob("*.html"))
        assert len(html) == len(catalog.problems(CHAPTER)), student

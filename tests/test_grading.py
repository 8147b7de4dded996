"""`make autograde` / `make feedback` on honest submissions: solved problems earn full marks,
untouched ones zero, and grades.csv says so. One problem is one nbgrader assignment."""
import csv

import pytest

from coursekit import make_course, run_cli, submit
from mlpapers import catalog
from mlpapers.submissions import solved_copy, untouched_copy

pytestmark = pytest.mark.notebooks
CHAPTER = "turboquant"


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = make_course(tmp_path_factory.mktemp("grading"), list(catalog.problems(CHAPTER)))
    for p in catalog.problems(CHAPTER):
        submit(root, "alice", p, solved_copy(p))
        submit(root, "bob", p, untouched_copy(p))
    run_cli(root, "autograde")
    with (root / "grading" / "grades.csv").open() as f:
        rows = list(csv.DictReader(f))
    return root, rows


def test_csv_has_the_course_columns_and_a_row_per_notebook(graded):
    root, rows = graded
    header = (root / "grading" / "grades.csv").read_text().splitlines()[0]
    assert header == "student,assignment,notebook,score,max_score,status,reason"
    assert len(rows) == 2 * len(catalog.problems(CHAPTER))
    assert {r["assignment"] for r in rows} == {p.assignment for p in catalog.problems(CHAPTER)}


def test_solved_problems_earn_full_marks_and_untouched_ones_zero(graded):
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
        html = sorted((root / "grading" / "feedback" / student).glob("*/*.html"))
        assert [h.parent.name for h in html] == [p.assignment for p in catalog.problems(CHAPTER)], student


def test_a_course_inside_a_private_folder_grades_correctly(tmp_path):
    """Instructors keep courses below folders only they may enter (anything under /root is):
    the sandboxed kernel still reaches the course's environment, and a solved notebook earns
    full marks. The environment is bind-mounted into the private folder, as a clone's .venv is."""
    import os
    import subprocess
    import sys

    from mlpapers.grader import sandbox
    if sandbox.isolation_level() != "namespaces":
        pytest.skip("the sandbox (and its private-folder handling) needs root")
    private = tmp_path / "private"
    private.mkdir(mode=0o700)
    problem = catalog.problem(285)
    root = make_course(private, [problem])
    submit(root, "alice", problem, solved_copy(problem))
    venv = root / ".venv"
    venv.mkdir()
    subprocess.run(["mount", "--bind", sys.prefix, str(venv)], check=True)
    try:
        proc = subprocess.run([str(venv / "bin" / "python"), "-m", "mlpapers", "autograde"], cwd=root,
                              env={**os.environ, "MLPAPERS_ROOT": str(root),
                                   "PATH": f"{venv / 'bin'}:{os.environ['PATH']}"},
                              capture_output=True, text=True, timeout=600)
    finally:
        subprocess.run(["umount", "-l", str(venv)], check=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
    with (root / "grading" / "grades.csv").open() as f:
        rows = list(csv.DictReader(f))
    assert [(r["status"], float(r["score"])) for r in rows] == [("graded", float(problem.points))], rows

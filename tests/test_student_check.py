"""`make check NB=...`: a student's pre-hand-in check reports every graded cell like the grader."""
import shutil
import subprocess
import sys

import nbformat
import pytest

from mlpapers import catalog
from mlpapers.notebooks import grade_cells, is_grade
from mlpapers.paths import RELEASE, ROOT
from mlpapers.submissions import solved_copy, untouched_copy

pytestmark = pytest.mark.notebooks
PROBLEM = catalog.problem(176)


def check(tmp_path, nb):
    folder = tmp_path / PROBLEM.folder
    folder.mkdir(parents=True, exist_ok=True)
    for given in (RELEASE / PROBLEM.folder).glob("*.py"):
        shutil.copy(given, folder / given.name)
    path = folder / f"{PROBLEM.stem}.ipynb"
    nbformat.write(nb, str(path))
    return subprocess.run([sys.executable, "-m", "mlpapers", "check", str(path)], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)


def test_solved_notebook_passes_every_graded_cell(tmp_path):
    proc = check(tmp_path, solved_copy(PROBLEM))
    n = len(grade_cells(solved_copy(PROBLEM)))
    assert proc.returncode == 0, proc.stdout
    assert proc.stdout.strip().splitlines()[-1] == f"{n} passed, 0 failed"


def test_stub_fails_and_an_edited_test_cell_is_reported(tmp_path):
    nb = untouched_copy(PROBLEM)
    first = next(c for c in nb.cells if is_grade(c))
    first.source = "pass"
    proc = check(tmp_path, nb)
    n = len(grade_cells(nb))
    assert proc.returncode == 1
    lines = proc.stdout.strip().splitlines()
    assert lines[-1] == f"1 passed, {n - 1} failed"  # the emptied test cell "passes" locally...
    assert any("was edited; the grader uses the original" in line for line in lines)  # ...and is flagged
    assert sum(line.strip().startswith("FAIL") for line in lines) == n - 1

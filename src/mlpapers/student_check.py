"""``make check NB=...``: a student runs the graded cells of one of their notebooks before handing in.

Runs the notebook as the autograder would (headless, every cell, going on after failures) and
prints one line per graded cell. Locked test cells edited by the student are reported, since the
grader restores them.
"""
from __future__ import annotations

from pathlib import Path

from mlpapers import catalog, notebooks
from mlpapers.execute import run_notebook
from mlpapers.paths import NOTEBOOKS, RELEASE


def edited_locked_cells(nb, path: Path) -> list[str]:
    """grade ids of locked cells whose source differs from the release copy (if one is known)."""
    try:
        rel_path = RELEASE / path.resolve().relative_to(NOTEBOOKS.resolve())
    except ValueError:
        rel_path = None
    if rel_path is None or not rel_path.exists():  # elsewhere, or renamed: known by its problem id
        ids = {p.stem: p for p in catalog.problems()}
        problem = ids.get(path.stem) or next((p for s, p in ids.items() if path.stem.startswith(s)), None)
        rel_path = RELEASE / problem.released if problem else None
    if rel_path is None or not rel_path.exists():
        return []
    released = {notebooks.nbgrader_meta(c).get("grade_id"): c.source for c in notebooks.read(rel_path).cells
                if notebooks.nbgrader_meta(c).get("locked")}
    mine = {notebooks.nbgrader_meta(c).get("grade_id"): c.source for c in nb.cells
            if notebooks.nbgrader_meta(c).get("locked")}
    return [gid for gid, src in released.items() if mine.get(gid) != src]


def check_notebook(path: Path) -> int:
    """Print each graded cell's result; return the number of failing graded cells."""
    path = Path(path)
    if not path.is_file():
        raise SystemExit(f"check: no notebook at {path}")
    nb = notebooks.read(path)
    run = run_notebook(nb, cwd=path.parent)
    for outcome in run.graded:
        if outcome.passed:
            print(f"  pass  {outcome.grade_id}")
        else:
            print(f"  FAIL  {outcome.grade_id}: {(outcome.error or 'did not run')[:200]}")
    for gid in edited_locked_cells(nb, path):
        print(f"  note  locked cell {gid!r} was edited; the grader uses the original")
    if run.aborted:
        print(f"  stopped early: {run.aborted}")
    failed = len(run.failed_graded())
    print(f"{len(run.graded) - failed} passed, {failed} failed")
    return failed

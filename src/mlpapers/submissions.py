"""Synthetic student submissions made from the release and the instructor source.

Used by the tests, the grading benchmark and the browser tests: a *solved* copy is the student's
release notebook with every answer cell filled in from ``solutions/`` (what a perfect student hands
in); an *untouched* copy is the release notebook as is; a *mutant* copy fills the answers and adds
a known-wrong implementation after them.
"""
from __future__ import annotations

import copy

import nbformat

from mlpapers import notebooks
from mlpapers.catalog import Problem
from mlpapers.paths import RELEASE, SOLUTIONS


def solved_copy(problem: Problem, extra_source: str | None = None):
    """The release notebook with each solution cell's source taken from ``solutions/``.

    ``extra_source`` (e.g. a mutant's code) is appended to every filled-in answer cell.
    """
    source = {notebooks.nbgrader_meta(c).get("grade_id"): c.source
              for c in notebooks.read(SOLUTIONS / problem.notebook).cells if notebooks.is_solution(c)}
    nb = copy.deepcopy(notebooks.read(RELEASE / problem.released))
    for cell in nb.cells:
        gid = notebooks.nbgrader_meta(cell).get("grade_id")
        if notebooks.is_solution(cell) and gid in source:
            cell.source = source[gid]
            if extra_source and cell.cell_type == "code":
                cell.source += "\n\n" + extra_source
    return nb


def untouched_copy(problem: Problem):
    """The release notebook exactly as the student received it."""
    return notebooks.read(RELEASE / problem.released)


def write_submission(nb, path) -> None:
    """Write a submission the way JupyterLab saves it (outputs allowed, ids kept)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))

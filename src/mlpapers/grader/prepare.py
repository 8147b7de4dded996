"""Turning a student's submitted notebook into the notebook that is graded.

Locked cells (tests, given code) come from the instructor source, hidden tests included; answers
come from the student; the student's own extra cells stay where they are. A locked cell that was
edited or deleted is restored and noted, as nbgrader does, but here the note also makes the row
``tampered`` so an instructor sees it.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field

import nbformat

from mlpapers.notebooks import nbgrader_meta

STUB = "# YOUR CODE HERE\nraise NotImplementedError()"


@dataclass
class Prepared:
    """The notebook to grade and what was noticed on the way."""
    nb: nbformat.NotebookNode
    notes: list[str] = field(default_factory=list)

    @property
    def tampered(self) -> bool:
        return any(n.startswith(("edited", "deleted")) for n in self.notes)


def _gid(cell) -> str | None:
    return nbgrader_meta(cell).get("grade_id")


def prepare(submitted, source, release) -> Prepared:
    """Merge ``submitted`` with the ``source`` notebook's locked and graded cells."""
    src_cells = source.cells
    locked = {_gid(c): c for c in src_cells if _gid(c) and not nbgrader_meta(c).get("solution")
              and (nbgrader_meta(c).get("locked") or nbgrader_meta(c).get("grade"))}
    answers = {_gid(c): c for c in src_cells if _gid(c) and nbgrader_meta(c).get("solution")}
    released = {_gid(c): c.source for c in release.cells if _gid(c)}
    notes: list[str] = []
    out: list = []
    placed: dict[str, int] = {}
    for cell in submitted.cells:
        gid = _gid(cell)
        if gid in locked and gid not in placed:
            if cell.cell_type == "code" and cell.source.strip() != released.get(gid, "").strip():
                notes.append(f"edited locked cell {gid} (graded with the original)")
            placed[gid] = len(out)
            out.append(copy.deepcopy(locked[gid]))
        elif gid in answers and gid not in placed:
            new = copy.deepcopy(answers[gid])
            new.source = cell.source
            placed[gid] = len(out)
            out.append(new)
        elif gid in locked or gid in answers:
            notes.append(f"duplicate cell {gid} ignored")
        else:
            plain = copy.deepcopy(cell)
            plain.metadata.pop("nbgrader", None)  # a student-made "grade" cell earns nothing
            out.append(plain)
    # Put back what was deleted, right after the source cell that precedes it.
    for index, cell in enumerate(src_cells):
        gid = _gid(cell)
        if gid is None or gid in placed or (gid not in locked and gid not in answers):
            continue
        before = [_gid(c) for c in src_cells[:index] if _gid(c) in placed]
        at = placed[before[-1]] + 1 if before else 0
        if gid in locked:
            new = copy.deepcopy(cell)
            if cell.cell_type == "code":
                notes.append(f"deleted locked cell {gid} (restored)")
        else:
            new = copy.deepcopy(cell)
            new.source = STUB
            notes.append(f"answer cell {gid} missing")
        out.insert(at, new)
        placed = {k: (v + 1 if v >= at else v) for k, v in placed.items()}
        placed[gid] = at
    nb = copy.deepcopy(source)
    nb.cells = out
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    return Prepared(nb, notes)

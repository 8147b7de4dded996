"""Reading, querying and writing notebooks in the course's canonical stored form.

Stored notebooks (``solutions/`` and ``release/``) hold no outputs, no execution counts and no
editor or papermill metadata; keys are sorted and every cell has a stable id, so an unchanged
source always serialises to the same bytes.
"""
from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Iterable

import nbformat

KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
KEPT_CELL_METADATA = ("deletable", "editable", "nbgrader", "tags")


def read(path: Path | str) -> nbformat.NotebookNode:
    """Read a notebook as nbformat 4."""
    return nbformat.read(str(path), as_version=4)


def nbgrader_meta(cell) -> dict:
    """The cell's nbgrader metadata ({} for a plain cell)."""
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


def is_grade(cell) -> bool:
    """A graded test cell."""
    return bool(nbgrader_meta(cell).get("grade")) and cell.cell_type == "code"


def is_solution(cell) -> bool:
    """A cell whose answer the student writes."""
    return bool(nbgrader_meta(cell).get("solution"))


def grade_cells(nb) -> list:
    """The graded code cells, in order."""
    return [c for c in nb.cells if is_grade(c)]


def points(nb) -> float:
    """Total points of the notebook's graded cells."""
    return sum(float(nbgrader_meta(c).get("points", 0)) for c in grade_cells(nb))


def _stable_id(cell, index: int) -> str:
    grade_id = nbgrader_meta(cell).get("grade_id")
    if grade_id:
        return str(grade_id)[:64]
    digest = hashlib.sha1(f"{index}:{cell.cell_type}:{cell.source}".encode()).hexdigest()
    return f"cell-{digest[:10]}"


def canonical(nb) -> nbformat.NotebookNode:
    """A copy of ``nb`` in stored form: no outputs, only course metadata, ids on every cell."""
    nb = nbformat.from_dict(nb)
    nb.nbformat, nb.nbformat_minor = 4, 5
    nb.metadata = nbformat.from_dict({"kernelspec": dict(KERNELSPEC), "language_info": {"name": "python"}})
    seen: set[str] = set()
    cells = []
    for index, cell in enumerate(nb.cells):
        meta = {k: cell.metadata[k] for k in KEPT_CELL_METADATA if k in cell.get("metadata", {})}
        if meta.get("tags") == []:
            del meta["tags"]
        new = {"cell_type": cell.cell_type, "metadata": meta, "source": cell.source}
        cell_id = cell.get("id") or _stable_id(cell, index)
        if cell_id in seen:
            cell_id = _stable_id(cell, index)
        seen.add(cell_id)
        new["id"] = cell_id
        if cell.cell_type == "code":
            new.update(outputs=[], execution_count=None)
        elif "attachments" in cell:
            new["attachments"] = cell.attachments
        cells.append(nbformat.from_dict(new))
    nb.cells = cells
    return nb


def dumps(nb) -> str:
    """Serialise in canonical form (sorted keys, one-space indent, trailing newline)."""
    return nbformat.writes(canonical(nb)) + "\n"


def write(nb, path: Path | str) -> bool:
    """Write ``nb`` in canonical form; return True if the file's bytes changed."""
    path = Path(path)
    text = dumps(nb)
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return True


def normalize(paths: Iterable[Path]) -> list[Path]:
    """Rewrite each notebook in canonical form; return the ones that changed."""
    return [p for p in paths if write(read(p), p)]

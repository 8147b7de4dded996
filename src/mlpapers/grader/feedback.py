"""Feedback pages: the student's executed notebook with a score table, never hidden tests.

Each graded cell is shown as the student received it (hidden tests stripped) with its result in
place of its output: a pass, or the failure message (a visible check's message, or for a hidden
check only the property it tests). Guard cells are dropped.
"""
from __future__ import annotations

import copy
import html

import nbformat

from mlpapers.notebooks import is_grade, nbgrader_meta


def feedback_notebook(outcome, nb, release_nb) -> nbformat.NotebookNode:
    """The notebook that :func:`render_feedback` turns into HTML."""
    released = {nbgrader_meta(c).get("grade_id"): c.source for c in release_nb.cells}
    results = {r.grade_id: r for r in outcome.cells}
    rows = "\n".join(f"| `{r.grade_id}` | {r.score:g} / {r.points:g} | "
                     f"{'passed' if r.score == r.points else html.escape(r.message.splitlines()[0] if r.message else 'failed')[:160]} |"
                     for r in outcome.cells)
    head = (f"# Feedback · {outcome.notebook}\n\n"
            f"**Student:** {outcome.student} · **Score:** {outcome.score:g} / {outcome.max_score:g} · "
            f"**Status:** {outcome.status}" + (f" ({html.escape(outcome.reason)})" if outcome.reason else "")
            + "\n\n| test | points | result |\n|---|---|---|\n" + rows)
    out = nbformat.v4.new_notebook()
    out.metadata = copy.deepcopy(nb.metadata)
    out.cells = [nbformat.v4.new_markdown_cell(head)]
    for cell in nb.cells:
        if cell.get("metadata", {}).get("mlpapers_guard"):
            continue
        cell = copy.deepcopy(cell)
        if cell.cell_type == "code" and is_grade(cell):
            gid = nbgrader_meta(cell).get("grade_id")
            cell.source = released.get(gid, "# (test cell)")
            r = results.get(gid)
            text = (f"✓ passed ({r.score:g}/{r.points:g})" if r and r.score == r.points
                    else f"✗ {r.message if r else 'not graded'} (0/{r.points:g})" if r else "✗ not graded")
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=text + "\n")]
        elif cell.cell_type == "code":
            cell.outputs = [o for o in cell.get("outputs", [])
                            if "application/vnd.jupyter.widget-view+json" not in o.get("data", {})]
        out.cells.append(cell)
    return out


def render_html(feedback_nb: nbformat.NotebookNode) -> str:
    """HTML for one feedback notebook."""
    from nbconvert import HTMLExporter

    body, _ = HTMLExporter(template_name="lab").from_notebook_node(feedback_nb)
    return body

"""Feedback pages: the student's executed notebook with a score table, never hidden tests.

Each graded cell is shown as the student received it (hidden tests stripped) with its result in
place of its output: a pass, or the failure message (a visible check's message, or for a hidden
check only the property it tests). Guard cells are dropped.

The page is sanitised: a student's outputs keep only text and raster images (no HTML, SVG or
script a browser would run), and markdown is shown with its HTML tags escaped.
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
    secret = _hidden_lines(nb, released)
    after_hidden = False  # hidden tests passed their inputs to the student's code: later output may show them
    for cell in nb.cells:
        cell = copy.deepcopy(cell)
        if cell.cell_type == "code" and is_grade(cell):
            gid = nbgrader_meta(cell).get("grade_id")
            after_hidden = after_hidden or "BEGIN HIDDEN TESTS" in cell.source
            cell.source = released.get(gid, "# (test cell)")
            r = results.get(gid)
            text = (f"✓ passed ({r.score:g}/{r.points:g})" if r and r.score == r.points
                    else f"✗ {r.message if r else 'not graded'} (0/{r.points:g})" if r else "✗ not graded")
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=text + "\n")]
        elif cell.cell_type == "code" and after_hidden and cell.get("outputs"):
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=WITHHELD)]
        elif cell.cell_type == "code":
            cell.outputs = [_scrubbed(o, secret) for o in map(safe_output, cell.get("outputs", []))
                            if o is not None]
        elif cell.cell_type == "markdown":
            cell.source = cell.source.replace("<", "&lt;")
            cell.pop("attachments", None)
        out.cells.append(cell)
    return out


SAFE_MIMETYPES = ("text/plain", "image/png", "image/jpeg")
SCRUBBED = "[output removed from feedback: it shows grader code]\n"
WITHHELD = "[output withheld from feedback: this cell ran after hidden tests, whose inputs it could show]\n"


def _hidden_lines(nb, released: dict) -> set[str]:
    """Lines of the graded cells that the student never received (the hidden tests)."""
    lines: set[str] = set()
    for cell in nb.cells:
        if cell.cell_type == "code" and is_grade(cell):
            visible = {line.strip() for line in released.get(nbgrader_meta(cell).get("grade_id"), "").splitlines()}
            lines |= {line.strip() for line in cell.source.splitlines()
                      if len(line.strip()) >= 16 and line.strip() not in visible}
    return lines


def _scrubbed(output, secret: set[str]):
    """The output, or a notice in its place if its text holds a line of hidden test code."""
    text = output.get("text", "") if output.get("output_type") == "stream" else \
        "\n".join(output.get("traceback", [])) + str(output.get("data", {}).get("text/plain", ""))
    if isinstance(text, list):
        text = "".join(text)
    if secret and any(line in text for line in secret):
        return nbformat.v4.new_output("stream", name="stdout", text=SCRUBBED)
    return output


def safe_output(output):
    """The output with only inert data (text, PNG, JPEG); None if nothing inert is left."""
    if output.get("output_type") not in ("display_data", "execute_result"):
        return output  # streams and errors are text, escaped by the exporter
    data = {k: v for k, v in output.get("data", {}).items() if k in SAFE_MIMETYPES}
    if not data:
        return None
    output = copy.deepcopy(output)
    output["data"] = data
    output["metadata"] = {}
    return output


def render_html(feedback_nb: nbformat.NotebookNode) -> str:
    """HTML for one feedback notebook."""
    from nbconvert import HTMLExporter

    body, _ = HTMLExporter(template_name="lab").from_notebook_node(feedback_nb)
    return body

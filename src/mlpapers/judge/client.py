"""Executing a notebook with its test cells judged outside the kernel.

:class:`JudgedClient` is nbclient's ``NotebookClient`` with three changes: a first cell opens the
agent's channel (``agent.connect``); a test cell is never sent to the kernel: the kernel is asked to
``serve`` while the judge runs the cell's code in a worker thread, and the judge's verdict becomes
the cell's outputs; a last cell asks the agent for its audit log. Provided definition cells run in
both places. The grader (``grader/runner.py``) and ``validate`` (``execute.py``) both execute
through it, so validation proves what grading does.
"""
from __future__ import annotations

import ast
import asyncio
import threading
from datetime import datetime, timezone

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError

from mlpapers.judge.judge import Judge, Verdict
from mlpapers.notebooks import is_grade, is_solution, nbgrader_meta

MARK = "mlpapers_judge"  # metadata of the cells the grader adds (removed before feedback)
_AGENT = "__import__('mlpapers.judge.agent', fromlist=['serve'])"


def runs_in_judge(cell) -> bool:
    """A locked provided cell of definitions only (imports, functions, classes): the judge runs it too."""
    meta = nbgrader_meta(cell)
    if cell.cell_type != "code" or not meta.get("locked") or is_grade(cell) or is_solution(cell):
        return False
    try:
        body = ast.parse(cell.source).body
    except SyntaxError:
        return False
    return all(isinstance(s, (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.ClassDef))
               or (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant)) for s in body)


def instrument(nb, socket_path: str, scratch: str, course_paths: list[str]) -> None:
    """Add the agent's connect cell first and the audit-log cell last."""
    first = nbformat.v4.new_code_cell(f"{_AGENT}.connect({socket_path!r}, globals(), {scratch!r}, "
                                      f"{tuple(course_paths)!r})")
    last = nbformat.v4.new_code_cell("# the grader asks for the audit log here")
    for cell, role in ((first, "connect"), (last, "events")):
        cell.metadata[MARK] = role
    nb.cells = [first, *nb.cells, last]


def strip(nb) -> None:
    """Remove the cells :func:`instrument` added."""
    nb.cells = [c for c in nb.cells if not c.get("metadata", {}).get(MARK)]


def _now() -> str:
    return datetime.now(timezone.utc).isoformat().replace("+00:00", "Z")


class GradeFailed(Exception):
    """A graded cell failed and the client was told to stop there (a mutant is rejected already)."""


class JudgedClient(NotebookClient):
    """NotebookClient whose test cells run in ``judge`` (see the module docstring); with
    ``stop_at_failure`` it raises :class:`GradeFailed` once a graded cell fails."""

    def __init__(self, *args, judge: Judge, stop_at_failure: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.judge = judge
        self.stop_at_failure = stop_at_failure
        self.verdicts: dict[int, Verdict] = {}
        self.events: list[str] = []
        self.setup_errors: list[str] = []

    def _get_timeout(self, cell):
        if cell is not None and cell.get("metadata", {}).get("mlpapers_serve"):
            return int(self.judge.cell_timeout) + 30  # the judge keeps the cell's own budget
        return super()._get_timeout(cell)

    async def async_execute_cell(self, cell, cell_index, execution_count=None, store_history=True):
        role = cell.get("metadata", {}).get(MARK)
        if role == "events":
            self.events = await self._serve(cell_index, lambda: self.judge.events(cell_index))
            self.nb.cells[cell_index] = cell
            return cell
        if cell.cell_type == "code" and is_grade(cell):
            return await self._judge_cell(cell, cell_index)
        result = await super().async_execute_cell(cell, cell_index, execution_count, store_history)
        loop = asyncio.get_running_loop()
        if role == "connect":
            if any(o.get("output_type") == "error" for o in cell.get("outputs", [])):
                self.setup_errors.append("the kernel could not start the grader's agent")
        elif runs_in_judge(cell):
            label = nbgrader_meta(cell).get("grade_id", f"cell {cell_index}")
            error = await loop.run_in_executor(None, self.judge.run_definitions, cell.source, label)
            if error:
                self.setup_errors.append(f"provided cell {label}: {error}")
        return result

    async def _serve(self, cell_index: int, work):
        """Have the kernel serve ``cell_index`` while ``work`` runs in a thread; return what it gave."""
        serve = nbformat.v4.new_code_cell(f"{_AGENT}.serve({cell_index})")
        serve.metadata["mlpapers_serve"] = True
        done = threading.Event()
        self.judge.kernel_done = done
        task = asyncio.ensure_future(super().async_execute_cell(serve, cell_index, store_history=False))
        task.add_done_callback(lambda _task: done.set())
        loop = asyncio.get_running_loop()
        result = await loop.run_in_executor(None, work)
        if isinstance(result, Verdict) and result.timed_out:
            await self.km.interrupt_kernel()
            await loop.run_in_executor(None, self.judge.finish, cell_index)
        try:
            await asyncio.wait_for(task, timeout=20)
        except asyncio.TimeoutError:
            raise CellTimeoutError("a test cell's call did not stop after being interrupted") from None
        return result

    async def _judge_cell(self, cell, cell_index: int):
        start = _now()
        label = nbgrader_meta(cell).get("grade_id", f"cell {cell_index}")
        verdict = await self._serve(cell_index, lambda: self.judge.run_test(cell.source, cell_index, label))
        self.verdicts[cell_index] = verdict
        self.nb.cells[cell_index] = cell  # nbclient stored the serve request in its place
        cell.outputs = [nbformat.from_dict(o) for o in verdict.outputs]
        cell.execution_count = self.code_cells_executed
        if self.record_timing:
            cell.setdefault("metadata", {})["execution"] = {"iopub.execute_input": start,
                                                            "shell.execute_reply": _now()}
        if self.stop_at_failure and verdict.error is not None:  # a timeout sets error too
            raise GradeFailed(label)
        return cell

"""Executing a notebook cell by cell and recording which graded cells passed.

Unlike papermill, execution goes on after a failing cell, so one run tells the fate of every
graded cell: the solution must pass them all, the stub must fail them all, a mutant must fail one.
"""
from __future__ import annotations

import copy
import os
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError

from mlpapers.blas import SINGLE_THREADED_BLAS
from mlpapers.notebooks import is_grade, is_solution, nbgrader_meta


@dataclass
class CellOutcome:
    """What happened to one code cell."""
    index: int
    grade_id: str | None
    graded: bool
    ran: bool
    error: str | None = None  # "ename: evalue" of the first error output

    @property
    def passed(self) -> bool:
        return self.ran and self.error is None


@dataclass
class Run:
    """The outcome of one notebook execution."""
    cells: list[CellOutcome] = field(default_factory=list)
    seconds: float = 0.0
    aborted: str | None = None  # timeout or dead kernel

    @property
    def graded(self) -> list[CellOutcome]:
        return [c for c in self.cells if c.graded]

    def failed_graded(self) -> list[CellOutcome]:
        return [c for c in self.graded if not c.passed]


def kernel_env(**extra: str) -> dict[str, str]:
    """Environment for a grading or validation kernel (headless, nbgrader-like)."""
    env = dict(os.environ)
    env.setdefault("NBGRADER_EXECUTION", "validate")
    env.setdefault("PYTHONHASHSEED", "0")
    env.update(SINGLE_THREADED_BLAS)
    env.update(extra)
    return env


def with_mutant(nb, mutant_source: str):
    """A copy of ``nb`` in which ``mutant_source`` runs right after every solution cell."""
    nb = copy.deepcopy(nb)
    cells = []
    for cell in nb.cells:
        cells.append(cell)
        if is_solution(cell) and cell.cell_type == "code":
            cells.append(nbformat.v4.new_code_cell(mutant_source))
    nb.cells = cells
    return nb


def run_notebook(nb, cwd: Path, timeout: int = 60, env: dict[str, str] | None = None) -> Run:
    """Execute ``nb`` (a copy) in ``cwd``, continuing past errors; report every code cell."""
    nb = copy.deepcopy(nb)
    run = Run()
    start = time.perf_counter()
    # Unix sockets instead of TCP ports: kernels started side by side cannot race for a port.
    with tempfile.TemporaryDirectory(prefix="mlpk-") as sockets:
        km = AsyncKernelManager(kernel_name="python3", transport="ipc", ip=os.path.join(sockets, "k"),
                                connection_file=os.path.join(sockets, "kernel.json"))
        client = NotebookClient(nb, km=km, timeout=timeout, allow_errors=True,
                                resources={"metadata": {"path": str(cwd)}})
        try:
            client.execute(env=env or kernel_env())
        except (CellTimeoutError, DeadKernelError) as exc:
            run.aborted = f"{type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc).strip() else ''}"
        finally:
            if km.has_kernel:  # nbclient leaves a kernel it did not create running
                run_sync(km.shutdown_kernel)(now=True)
    run.seconds = time.perf_counter() - start
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        ran = cell.get("execution_count") is not None
        error = f"{errors[0].get('ename')}: {errors[0].get('evalue')}" if errors else None
        if not ran and run.aborted:
            error = run.aborted
        run.cells.append(CellOutcome(index, nbgrader_meta(cell).get("grade_id"), is_grade(cell), ran, error))
    return run

"""Executing a notebook cell by cell and recording which graded cells passed.

Unlike papermill, execution goes on after a failing cell, so one run tells the fate of every
graded cell: the solution must pass them all, the stub must fail them all. A mutant must fail one,
so its run may stop at the first graded cell that fails (``stop_at_failure``).
"""
from __future__ import annotations

import contextlib
import copy
import os
import signal
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync
from nbclient.exceptions import CellTimeoutError, DeadKernelError

from mlpapers.blas import SINGLE_THREADED_BLAS
from mlpapers.judge.client import GradeFailed, JudgedClient, instrument, strip
from mlpapers.judge.judge import Judge
from mlpapers.notebooks import is_grade, is_solution, nbgrader_meta
from mlpapers.paths import BUILD


@dataclass
class CellOutcome:
    """What happened to one code cell."""
    index: int
    grade_id: str | None
    graded: bool
    ran: bool
    error: str | None = None  # "ename: evalue" of the first error output
    seconds: float = 0.0  # test cells: time in the judge
    calls: int = 0  # test cells: requests the judge sent to the kernel

    @property
    def passed(self) -> bool:
        return self.ran and self.error is None


@dataclass
class Run:
    """The outcome of one notebook execution."""
    cells: list[CellOutcome] = field(default_factory=list)
    seconds: float = 0.0
    aborted: str | None = None  # timeout or dead kernel
    stopped_at: str | None = None  # the graded cell whose failure ended a stop_at_failure run
    setup_errors: list[str] = field(default_factory=list)  # provided cells the judge could not run

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


#: where :func:`record_stall` writes (a CI artifact folder)
BUILD_STALLS = BUILD / "stalls"


class NotebookDeadline(Exception):
    """The whole notebook ran past its deadline (raised by an alarm into the driving event loop)."""


def record_stall(seconds: float) -> str:
    """Write what the driver was waiting on when its deadline fired (every thread's stack, every
    pending asyncio task with what it awaits) to ``build/stalls/``; return the file's path.

    A driver that outlives its deadline is a bug being caught, not a slow notebook: this is the
    evidence to find it with."""
    import asyncio
    import sys
    import traceback

    lines = [f"deadline {seconds:.0f} s, pid {os.getpid()}, {time.strftime('%Y-%m-%d %H:%M:%S')}"]
    for tid, frame in sys._current_frames().items():
        lines += [f"\n--- thread {tid}", *traceback.format_stack(frame)]
    loop = asyncio._get_running_loop()
    for task in (asyncio.all_tasks(loop) if loop is not None else ()):
        lines += [f"\n--- {task!r}", *(traceback.format_stack(f)[-1] for f in task.get_stack())]
    folder = BUILD_STALLS
    try:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"stall-{os.getpid()}-{time.time_ns()}.txt"
        path.write_text("".join(line if line.endswith("\n") else line + "\n" for line in lines))
        return str(path)
    except OSError as exc:
        return f"not written ({exc})"


@contextlib.contextmanager
def deadline_alarm(seconds: float):
    """Raise :class:`NotebookDeadline` in the main thread after ``seconds`` (no-op elsewhere), so a
    driver that waits on something that never completes ends instead of hanging."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def fire(_signum, _frame):
        where = record_stall(seconds)
        raise NotebookDeadline(f"the notebook ran longer than {seconds:.0f} s and was stopped (state: {where})")

    previous = signal.signal(signal.SIGALRM, fire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def run_notebook(nb, cwd: Path, timeout: int = 60, env: dict[str, str] | None = None,
                 deadline: float | None = None, stop_at_failure: bool = False) -> Run:
    """Execute ``nb`` (a copy) in ``cwd``, continuing past errors; report every code cell.

    Test cells run in the judge (``mlpapers.judge``), as in grading: what passes here passes there.
    ``deadline`` (default 4 x timeout + 2 s per cell) bounds the whole run. With ``stop_at_failure``
    the run ends at the first graded cell that fails, and reports the cells that ran.
    """
    deadline = deadline or 4.0 * timeout + 2.0 * len(nb.cells)
    nb = copy.deepcopy(nb)
    run = Run()
    start = time.perf_counter()
    # Unix sockets instead of TCP ports: kernels started side by side cannot race for a port.
    with tempfile.TemporaryDirectory(prefix="mlpk-") as sockets:
        judge = Judge(os.path.join(sockets, "judge"), cwd, cell_timeout=timeout)
        instrument(nb, os.path.join(sockets, "judge"), str(cwd), [])
        km = AsyncKernelManager(kernel_name="python3", transport="ipc", ip=os.path.join(sockets, "k"),
                                connection_file=os.path.join(sockets, "kernel.json"))
        client = JudgedClient(nb, judge=judge, km=km, timeout=timeout, allow_errors=True,
                              stop_at_failure=stop_at_failure, resources={"metadata": {"path": str(cwd)}})
        try:
            with deadline_alarm(deadline):
                client.execute(env=env or kernel_env())
        except (CellTimeoutError, DeadKernelError, NotebookDeadline) as exc:
            run.aborted = f"{type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc).strip() else ''}"
        except GradeFailed as exc:
            run.stopped_at = str(exc)
        finally:
            judge.close()
            if km.has_kernel:  # nbclient leaves a kernel it did not create running
                run_sync(km.shutdown_kernel)(now=True)
    strip(nb)
    run.seconds = time.perf_counter() - start
    run.setup_errors = client.setup_errors
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        ran = cell.get("execution_count") is not None
        if not ran and run.stopped_at:
            continue  # after the stop: not run, and not a failure
        error = f"{errors[0].get('ename')}: {errors[0].get('evalue')}" if errors else None
        if not ran and run.aborted:
            error = run.aborted
        verdict = client.verdicts.get(index + 1)  # indices before strip(): the connect cell came first
        run.cells.append(CellOutcome(index, nbgrader_meta(cell).get("grade_id"), is_grade(cell), ran, error,
                                     verdict.seconds if verdict else 0.0, verdict.calls if verdict else 0))
    return run

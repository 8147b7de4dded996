"""Grading one submitted notebook: prepare it, run it in a sandboxed kernel, judge every test cell.

The student's cells run in the sandboxed kernel; the test cells run in this process, in the judge
(``mlpapers.judge``), which reaches the student's functions only over a channel of plain data.
Runs in a worker process; returns a plain dict (see :class:`Outcome`) that the batch writes to the
gradebook, the journal and the CSV. Nothing a submission does can stop this function from
returning an outcome: invalid JSON, a dead kernel, an endless loop, exhausted memory or a broken
channel all end as a status with a reason.
"""
from __future__ import annotations

import copy
import json
import os
import shutil
import stat
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

import nbformat
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from nbclient.exceptions import CellTimeoutError, DeadKernelError

from mlpapers.execute import NotebookDeadline, deadline_alarm
from mlpapers.grader import sandbox
from mlpapers.grader.prepare import prepare
from mlpapers.judge.client import JudgedClient, instrument, strip
from mlpapers.judge.judge import Judge, Verdict
from mlpapers.notebooks import is_grade, nbgrader_meta, read

MAX_CELL_OUTPUT = 4 * 1024 * 1024       # bytes of output one cell may produce
MAX_NOTEBOOK_OUTPUT = 16 * 1024 * 1024  # and the whole notebook


class CappedClient(JudgedClient):
    """nbclient that counts output bytes and stops the kernel at a cap (see :func:`run_sandboxed`).

    Output past a cap is dropped, so a kernel printing without end cannot exhaust the worker's
    memory; ``on_cap`` (the caller's kill) runs once, and :attr:`capped` says what was exceeded.
    """

    def __init__(self, *args, on_cap=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.on_cap = on_cap
        self.capped = ""
        self.capped_at: int | None = None  # the cell that hit the cap: nothing after it counts
        self.cell_bytes: dict[int, int] = {}
        self.total_bytes = 0

    def output(self, outs, msg, display_id, cell_index):
        if self.capped:
            return None
        size = len(json.dumps(msg.get("content", {}), default=str))
        self.cell_bytes[cell_index] = self.cell_bytes.get(cell_index, 0) + size
        self.total_bytes += size
        if self.cell_bytes[cell_index] > MAX_CELL_OUTPUT or self.total_bytes > MAX_NOTEBOOK_OUTPUT:
            limit = (f"{MAX_CELL_OUTPUT // 2**20} MiB in one cell" if self.cell_bytes[cell_index] > MAX_CELL_OUTPUT
                     else f"{MAX_NOTEBOOK_OUTPUT // 2**20} MiB in the notebook")
            self.capped = f"output_capped: printed more than {limit}; the kernel was stopped"
            self.capped_at = cell_index
            if self.on_cap:
                self.on_cap()
            return None
        return super().output(outs, msg, display_id, cell_index)


@dataclass
class CellResult:
    """One graded cell's result as the student may see it."""
    grade_id: str
    points: float
    score: float
    message: str = ""


@dataclass
class Outcome:
    """One (student, notebook) row, with the per-cell results and the feedback page."""
    student: str
    assignment: str
    notebook: str
    score: float
    max_score: float
    status: str
    reason: str = ""
    submission_sha: str = ""
    seconds: float = 0.0
    cell_seconds: float = 0.0
    cells: list[CellResult] = field(default_factory=list)
    uid: int = 0  # the sandbox uid the kernel ran under (0: none), for audits
    feedback_nb: str = ""  # the feedback notebook (JSON); `make feedback` renders it to HTML
    autograded_nb: str = ""  # the graded notebook as nbgrader's autograde leaves it (JSON), for the formgrader

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Job:
    """What a worker needs to grade one notebook (all paths absolute)."""
    student: str
    assignment: str
    notebook: str
    submission: str | None  # None: not handed in
    source: str
    release: str
    given_files: list[str]  # the problem's other release files (its given module), copied into the scratch
    uid: int  # the preferred sandbox uid (sandbox.batch_uids); the one used is taken when the job runs
    hide: list[str]
    course_paths: list[str]
    cell_timeout: int = 60
    memory_mib: int = 3072
    submission_sha: str = ""
    mpl_cache: str = ""  # a prepared matplotlib font cache, so no kernel has to build one
    note: str = ""  # e.g. "handed in as 176_qjl-Copy1.ipynb"
    refused: str = ""  # why the submission is not read at all (a link, a FIFO, ...): an error row
    warm_kind: str = "plain"  # which warm server the kernel comes from (warm.kind_of the source)
    warm: str = ""  # that server's socket, set for the batch's run ("": a cold kernel)


def _error_of(cell) -> dict | None:
    for out in cell.get("outputs", []):
        if out.get("output_type") == "error":
            return out
    return None


def _make_scratch(job: Job) -> Path:
    scratch = Path(tempfile.mkdtemp(prefix="mlpg-", dir=sandbox.scratch_base()))
    for f in job.given_files:
        shutil.copy(f, scratch / Path(f).name)
    if job.mpl_cache:
        shutil.copytree(job.mpl_cache, scratch / ".matplotlib")
    sandbox.hand_over(scratch, job.uid)
    return scratch


@dataclass
class Execution:
    """What running one notebook gave: kernel replies by cell, the judge's verdicts, why it stopped."""
    replies: dict = field(default_factory=dict)  # cell index -> (status, error name) of kernel cells
    verdicts: dict = field(default_factory=dict)  # cell index -> Verdict of test cells
    aborted: str | None = None
    events: list[str] = field(default_factory=list)  # the agent's audit log
    notes: list[str] = field(default_factory=list)  # protocol breaks, provided cells the judge could not run


def run_sandboxed(nb, job: Job, scratch: Path, deadline: float) -> Execution:
    """Execute ``nb`` in the sandbox, its test cells in the judge (see the module docstring)."""
    work = Path(tempfile.mkdtemp(prefix="mlpk-"))
    os.chmod(work, 0o700)
    replies: dict[int, tuple[str, str | None]] = {}
    aborted: list[str] = []
    socket_path = str(scratch / ".judge")
    judge = Judge(socket_path, Path(job.release).parent, cell_timeout=job.cell_timeout)
    os.chmod(socket_path, 0o666)  # the scratch (0700, the sandbox uid's) is what keeps others out
    instrument(nb, socket_path, str(scratch), job.course_paths)
    client = None
    try:
        sandbox.kernelspec(work, scratch, job.uid, [Path(p) for p in job.hide], job.memory_mib,
                           cpu_seconds=int(deadline) + 30, warm=job.warm)
        ksm = KernelSpecManager(kernel_dirs=[str(work / "kernels")])
        # The async manager matters: with a blocking client nbclient waits on iopub with no timeout
        # and never notices a kernel that died without saying goodbye.
        km = AsyncKernelManager(kernel_name="mlpapers-sandbox", kernel_spec_manager=ksm, transport="ipc",
                                ip=str(scratch / "ipc"), connection_file=str(work / "connection.json"))
        def kill() -> None:
            process = getattr(getattr(km, "provisioner", None), "process", None)
            if process is not None and process.poll() is None:
                process.kill()

        client = CappedClient(
            nb, judge=judge, km=km, timeout=job.cell_timeout, on_cap=kill, allow_errors=True, interrupt_on_timeout=True,
            error_on_timeout={"ename": "CellTimeoutError",
                              "evalue": f"the cell ran longer than {job.cell_timeout} s and was interrupted"},
            record_timing=True, startup_timeout=60, shutdown_kernel="immediate",
            on_cell_executed=lambda cell, cell_index, execute_reply: replies.__setitem__(
                cell_index, (execute_reply["content"].get("status", "error"),
                             execute_reply["content"].get("ename"))),
            resources={"metadata": {"path": str(scratch)}})

        def watchdog() -> None:
            aborted.append(f"the notebook ran longer than {deadline:.0f} s and was stopped")
            kill()

        timer = threading.Timer(deadline, watchdog)
        timer.start()
        try:
            with deadline_alarm(deadline + 30):  # the watchdog kills the kernel; this ends a driver that still waits
                client.execute()
        except NotebookDeadline:
            if not aborted:
                aborted.append(f"the notebook ran longer than {deadline:.0f} s and was stopped")
        except DeadKernelError as exc:
            if not aborted:
                aborted.append(f"kernel_died: the kernel died ({str(exc).strip()[:120] or 'no message'})")
        except CellTimeoutError:
            aborted.append("a cell did not stop after being interrupted")
        except Exception as exc:  # e.g. the kernel never started
            if not aborted:
                aborted.append(f"error: {type(exc).__name__}: {str(exc).strip()[:200]}")
        finally:
            timer.cancel()
            kill()
        if client.capped:  # whatever else the kill caused (a dead kernel, a torn message), this is why
            aborted[:] = [client.capped]
            replies = {i: r for i, r in replies.items() if i < client.capped_at}
            client.verdicts = {i: v for i, v in client.verdicts.items() if i < client.capped_at}
    finally:
        judge.close()
        shutil.rmtree(work, ignore_errors=True)
    # Indices without the grader's first and last cells, as in the notebook after strip().
    last = len(nb.cells) - 1
    shift = lambda d: {i - 1: v for i, v in d.items() if 0 < i < last}  # noqa: E731
    notes = list(client.setup_errors) if client else []
    lost = {v.lost for v in (client.verdicts.values() if client else []) if v.lost}
    notes += [f"broke the grader's channel ({why})" for why in sorted(lost)
              if "malformed" in why or "out of turn" in why or "stopped answering" in why or "too often" in why]
    strip(nb)
    return Execution(shift(replies), shift(client.verdicts) if client else {}, aborted[0] if aborted else None,
                     client.events if client else [], notes)


def score_cells(nb, verdicts: dict, aborted: str | None, release_nb) -> list[CellResult]:
    """Score each graded cell from the judge's verdicts."""
    released = {nbgrader_meta(c).get("grade_id"): c.source for c in release_nb.cells}
    results: list[CellResult] = []
    for i, cell in enumerate(nb.cells):
        if not is_grade(cell):
            continue
        gid = nbgrader_meta(cell)["grade_id"]
        points = float(nbgrader_meta(cell).get("points", 0))
        verdict = verdicts.get(i)
        ok = verdict is not None and verdict.error is None
        results.append(CellResult(gid, points, points if ok else 0.0,
                                  "" if ok else _student_message(cell, verdict, aborted, released.get(gid, ""))))
    return results


def _student_message(cell, verdict: Verdict | None, aborted, visible_source) -> str:
    """What the feedback says about a failed cell: never hidden test code or expected values."""
    if verdict is None:
        return f"not run: {aborted or 'an earlier problem stopped the notebook'}"
    if verdict.error is None:
        return "failed"
    ename, evalue, line = verdict.error
    if ename == "HiddenCheckFailed":
        return evalue
    if line is not None and line <= len(visible_source.splitlines()):
        return f"{ename}: {evalue}"
    if line is None and "BEGIN HIDDEN TESTS" not in cell.source:
        return f"{ename}: {evalue}"
    return f"{ename} in a hidden check (details are hidden)"


def _cell_seconds(cell) -> float:
    """Seconds a cell ran, from nbclient's timing metadata (0 if it did not run)."""
    t = cell.get("metadata", {}).get("execution", {})
    if "iopub.execute_input" not in t or "shell.execute_reply" not in t:
        return 0.0
    start = datetime.fromisoformat(t["iopub.execute_input"].replace("Z", "+00:00"))
    end = datetime.fromisoformat(t["shell.execute_reply"].replace("Z", "+00:00"))
    return max(0.0, (end - start).total_seconds())


def read_regular_file(path: str, limit: int = 64 * 1024 * 1024) -> str:
    """The text of ``path`` if it is a regular file (no link, FIFO or device) of at most ``limit`` bytes."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise ValueError("not a regular file")
        if info.st_size > limit:
            raise ValueError(f"larger than {limit // 2**20} MiB")
        with os.fdopen(fd, "rb", closefd=False) as f:
            return f.read(limit + 1).decode("utf-8")
    finally:
        os.close(fd)


def grade(job: Job) -> dict:
    """Grade one notebook of one student; always returns an :class:`Outcome` as a dict."""
    start = time.perf_counter()
    source, release = read(job.source), read(job.release)
    max_score = sum(float(nbgrader_meta(c).get("points", 0)) for c in source.cells if is_grade(c))
    base = dict(student=job.student, assignment=job.assignment, notebook=job.notebook,
                max_score=max_score, submission_sha=job.submission_sha)
    if job.refused:
        return Outcome(score=0.0, status="error", reason=job.refused, **base).to_dict()
    if job.submission is None:
        return Outcome(score=0.0, status="missing", reason="not handed in", **base).to_dict()
    try:
        submitted = nbformat.reads(read_regular_file(job.submission), as_version=4)
        if not hasattr(submitted, "cells"):
            raise ValueError("no cells")
    except Exception as exc:
        return Outcome(score=0.0, status="error",
                       reason=f"not a readable notebook ({type(exc).__name__}: {str(exc)[:80]})",
                       **base).to_dict()
    prepared = prepare(submitted, source, release)
    nb = prepared.nb
    # The limit comes from the instructor's notebook: added cells cannot stretch it.
    deadline = max(60.0, 4.0 * job.cell_timeout + 2.0 * len(source.cells))
    with sandbox.unique_uid(prefer=job.uid or None) as uid:
        job.uid = uid if uid is not None else job.uid
        scratch = _make_scratch(job)
        try:
            run = run_sandboxed(nb, job, scratch, deadline)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    aborted = run.aborted
    results = score_cells(nb, run.verdicts, aborted, release)
    notes = ([job.note] if job.note else []) + prepared.notes + run.events + run.notes
    errors = [_error_of(c) for c in nb.cells if c.cell_type == "code"]
    timed_out = any(ename == "CellTimeoutError" for _, ename in run.replies.values()) \
        or any(v.timed_out for v in run.verdicts.values())
    memory = any(e and e.get("ename") == "MemoryError" for e in errors)
    tampered = any(n.startswith(("touched", "opened", "sent", "started", "signalled", "wrote", "deleted",
                                 "edited", "broke")) for n in notes)
    if aborted and aborted.startswith(("kernel_died", "error", "output_capped")):
        status, reason = aborted.split(": ", 1)[0].replace("output_capped", "error"), aborted.split(": ", 1)[1]
    elif aborted or timed_out:
        status, reason = "timeout", aborted or f"a cell ran longer than {job.cell_timeout} s"
    else:
        status, reason = "graded", ""
    if tampered:  # never hidden by a timeout or a dead kernel: the reason keeps both
        status = "tampered"
    elif status == "graded" and memory:
        status, reason = "error", f"ran out of memory (limit {job.memory_mib} MiB)"
    reason = "; ".join(dict.fromkeys([r for r in [reason, *notes] if r]))[:500]
    cell_seconds = sum(_cell_seconds(c) for c in nb.cells)
    outcome = Outcome(score=sum(r.score for r in results), status=status, reason=reason,
                      seconds=round(time.perf_counter() - start, 3), cell_seconds=round(cell_seconds, 3),
                      cells=results, uid=job.uid, **base)
    from mlpapers.grader.feedback import feedback_notebook
    outcome.feedback_nb = nbformat.writes(feedback_notebook(outcome, nb, release))
    outcome.autograded_nb = nbformat.writes(autograded_notebook(nb, results))
    return outcome.to_dict()


def autograded_notebook(nb, results: list[CellResult]) -> nbformat.NotebookNode:
    """The graded notebook for the formgrader: the student's answers and outputs, the instructor's
    locked cells (hidden tests included: only instructors open it), and under each test cell its
    result, no output where it passed and the failure as an error where it did not, as nbgrader's
    autograde leaves it. The gradebook holds the same scores. A student's outputs keep only inert
    data (text, PNG, JPEG), as on the feedback page: the instructor's browser runs no student script."""
    from mlpapers.grader.feedback import safe_output
    out = copy.deepcopy(nb)
    by_id = {r.grade_id: r for r in results}
    for cell in out.cells:
        if cell.cell_type != "code":
            continue
        r = by_id.get(nbgrader_meta(cell).get("grade_id")) if is_grade(cell) else None
        if r is not None:
            cell.outputs = [] if r.score == r.points else [nbformat.v4.new_output(
                "error", ename="AssertionError", evalue=r.message or "failed", traceback=[r.message or "failed"])]
        else:
            cell.outputs = [o for o in map(safe_output, cell.get("outputs", [])) if o is not None]
    return out

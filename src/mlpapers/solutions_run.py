"""Executing the solution notebooks with papermill into a build folder, with a per-notebook report.

``device`` reaches every notebook whose ``parameters`` cell declares it (the torch notebooks);
widgets are told ``interactive=False``. One failing notebook never hides the others; the report
ends with ``N passed, M failed``.
"""
from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from mlpapers.catalog import Problem
from mlpapers.blas import SINGLE_THREADED_BLAS
from mlpapers.paths import BUILD, SOLUTIONS


@dataclass
class NotebookReport:
    """How one solution notebook ran."""
    notebook: str
    status: str  # "passed" or "failed"
    seconds: float
    device: str
    error: str = ""


def run_one(problem: Problem, device: str, out_dir: Path, timeout: int) -> NotebookReport:
    """Execute one solution notebook with papermill; never raises for a notebook failure."""
    import papermill

    src = SOLUTIONS / problem.notebook
    dest = out_dir / problem.notebook
    dest.parent.mkdir(parents=True, exist_ok=True)
    declared = papermill.inspect_notebook(str(src))
    params = {"interactive": False}
    if "device" in declared:
        params["device"] = device
    start = time.perf_counter()
    try:
        papermill.execute_notebook(str(src), str(dest), parameters=params, cwd=str(src.parent),
                                   kernel_name="python3", execution_timeout=timeout,
                                   progress_bar=False, log_output=False)
        status, error = "passed", ""
    except Exception as exc:  # a failing notebook is a report row, not a crash
        status = "failed"
        error = f"{type(exc).__name__}: {str(exc).strip().splitlines()[-1] if str(exc).strip() else ''}"[:300]
    seconds = time.perf_counter() - start
    return NotebookReport(problem.notebook, status, round(seconds, 2),
                          params.get("device", "cpu (NumPy)"), error)


def run_solutions(problems: list[Problem], device: str = "cpu", out_dir: Path | None = None,
                  timeout: int = 300) -> list[NotebookReport]:
    """Run every solution notebook that exists; write ``report.json`` and ``report.md``."""
    for key, value in SINGLE_THREADED_BLAS.items():
        os.environ.setdefault(key, value)  # papermill's kernels inherit this process's environment
    out_dir = out_dir or BUILD / "solutions"
    out_dir.mkdir(parents=True, exist_ok=True)
    reports = [run_one(p, device, out_dir, timeout) for p in problems if (SOLUTIONS / p.notebook).exists()]
    (out_dir / "report.json").write_text(json.dumps([asdict(r) for r in reports], indent=1) + "\n")
    (out_dir / "report.md").write_text(format_report(reports) + "\n")
    return reports


def format_report(reports: list[NotebookReport]) -> str:
    """A Markdown table of the reports, ending with the ``N passed, M failed`` line."""
    lines = ["| notebook | status | seconds | device | error |", "|---|---|---|---|---|"]
    lines += [f"| {r.notebook} | {r.status} | {r.seconds:.1f} | {r.device} | {r.error} |" for r in reports]
    passed = sum(r.status == "passed" for r in reports)
    lines += ["", f"{passed} passed, {len(reports) - passed} failed"]
    return "\n".join(lines)

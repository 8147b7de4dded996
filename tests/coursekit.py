"""Helpers the tests share: throwaway course roots for grading tests (the configuration, some sources,
their release), the journal's rows, and the timing of a widget's redraw."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from mlpapers import catalog
from mlpapers.paths import RELEASE, ROOT, SOLUTIONS


def make_course(tmp: Path, problems: list[catalog.Problem]) -> Path:
    """A course root holding only ``problems``: their sources (with the chapters' given modules)
    and their release folders."""
    root = tmp / "course"
    root.mkdir(parents=True)
    for name in ("grader_config.py", "nbgrader_config.py"):
        shutil.copy(ROOT / name, root / name)
    for p in problems:
        (root / "solutions" / p.chapter).mkdir(parents=True, exist_ok=True)
        shutil.copy(SOLUTIONS / p.notebook, root / "solutions" / p.notebook)
        for extra in (SOLUTIONS / p.chapter).glob("*.py"):
            shutil.copy(extra, root / "solutions" / p.chapter / extra.name)
        if (SOLUTIONS / p.chapter / "figures").is_dir():  # the images its markdown shows
            shutil.copytree(SOLUTIONS / p.chapter / "figures", root / "solutions" / p.chapter / "figures",
                            dirs_exist_ok=True)
        shutil.copytree(RELEASE / p.folder, root / "release" / p.folder, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns("__pycache__"))
    return root


def run_cli(root: Path, *args: str, env: dict | None = None, check: bool = True,
            timeout: int = 900) -> subprocess.CompletedProcess:
    """``python -m mlpapers <args>`` in the course root."""
    full_env = dict(os.environ, MLPAPERS_ROOT=str(root), **(env or {}))
    proc = subprocess.run([sys.executable, "-m", "mlpapers", *args], cwd=root, env=full_env,
                          capture_output=True, text=True, timeout=timeout)
    if check:
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc


def submit(root: Path, student: str, problem: catalog.Problem, nb=None, *, name: str | None = None,
           text: str | None = None) -> Path:
    """Put a submission where ``nbgrader collect`` would: ``grading/submitted/<student>/<assignment>/``."""
    import nbformat
    folder = root / "grading" / "submitted" / student / problem.assignment
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / (name or f"{problem.stem}.ipynb")
    if text is not None:
        path.write_text(text)
    elif nb is not None:
        nbformat.write(nb, str(path))
    return path


def nbgrader_export(root: Path, env: dict | None = None) -> dict[tuple[str, str], float]:
    """Plain ``nbgrader export`` in the course root (it reads grader_config.py through nbgrader_config.py):
    (student, assignment) -> score."""
    import csv
    out = root / "grading" / "export.csv"
    full_env = dict(os.environ, MLPAPERS_ROOT=str(root), **(env or {}))
    proc = subprocess.run([str(Path(sys.executable).with_name("nbgrader")), "export", f"--to={out}"], cwd=root,
                          env=full_env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    with out.open() as f:
        return {(r["student_id"], r["assignment"]): float(r["score"]) for r in csv.DictReader(f)}


def journal_rows(root: Path, db_url: str | None = None) -> list[dict]:
    """Every outcome in the grading journal of the course at ``root`` (its SQLite gradebook unless
    ``db_url`` names another)."""
    from mlpapers.grader import journal
    return journal.outcomes(db_url or f"sqlite:///{root / 'grading' / 'gradebook.db'}")


def quickest_redraw(explorer, control: str, values) -> float:
    """CPU seconds of the quickest redraw when `control` is set to each of `values` in turn.

    CPU time, and the best of several: another process on a busy CI machine delays wall time and can
    stall any single redraw, while a widget that is slow is slow every time.
    """
    seconds = []
    for value in values:
        start = time.process_time()
        explorer.controls[control].value = value
        seconds.append(time.process_time() - start)
    return min(seconds)

"""Shared pytest set-up: headless matplotlib, the venv on PATH (nbgrader needs it), the course list."""
import os
import sys
from pathlib import Path

os.environ.setdefault("MPLBACKEND", "Agg")
os.environ["PATH"] = str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")

import pytest  # noqa: E402

from mlpapers import catalog  # noqa: E402
from mlpapers.paths import BUILD, SOLUTIONS  # noqa: E402


LEAK_FINDINGS: list = []  # filled by test_notebooks.py, summed up at the end of the run


def pytest_terminal_summary(terminalreporter):
    """One line with what the leak check tried over every problem validated in this run."""
    if LEAK_FINDINGS:
        from mlpapers.leaks import summary
        terminalreporter.write_line(f"leak check: {summary(LEAK_FINDINGS)}")


def ready_problems() -> list[catalog.Problem]:
    """Problems whose source notebook exists (the notebook tests run over these)."""
    return [p for p in catalog.problems() if (SOLUTIONS / p.notebook).exists()]


@pytest.fixture(scope="session")
def executed_solutions():
    """Every ready solution notebook, run once by papermill the way ``make solutions`` runs it, into
    ``build/solutions/`` (CI artifacts): (that folder, {notebook: report}). The papermill timing tests
    and the static-HTML browser tests share this one run."""
    from mlpapers.solutions_run import run_solutions
    out = BUILD / "solutions"
    with pytest.MonkeyPatch.context() as env:
        env.delenv("MPLBACKEND", raising=False)  # the kernels pick their inline backend, as under `make`
        reports = run_solutions(ready_problems(), device="cpu", out_dir=out)
    return out, {r.notebook: r for r in reports}


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt
    plt.close("all")

"""The leak check: nothing a student receives with a problem may stand in for one of its answers.

COURSE_DESIGN 2a. For every graded function ``f`` of problem N (a function or class defined in a
solution cell and called while the graded cells run), every function a student receives with N
is put in ``f``'s place, and the graded cells that call ``f`` are run again; a candidate that
passes all of them is a leak. Candidates are

* every function and class of the given module(s) in N's release folder,
* every function and class defined in any module of the installed course package ``mlpapers``,
* every function and class defined by the release notebook's visible cells (setup, visible tests,
  explore).

The design's rule is that no candidate passes all of ``f``'s graded cells. The check is stricter
where a cell only feeds ``f`` bad input (every call of the reference raised there, as in a
``check_raises`` cell): such cells do not count, so a candidate that computes ``f``'s values but
lacks its argument checks is still a leak. A cell that uses ``f`` only incidentally (through
another function) still counts, so a trivial function that happens to pass it is not reported.

A candidate whose signature cannot accept the calls the graded cells make to ``f`` (recorded
while the reference solution runs) cannot pass and is counted as refused by its signature; every
other candidate is run. The probe runs in a subprocess; as root it runs inside the grading
sandbox (no network, its own uid, instructor folders hidden), since it calls arbitrary package
functions with test inputs.

Run by ``make validate`` and ``make test``; by hand: ``python -m mlpapers leaks --problem 175``.
"""
from __future__ import annotations

import ast
import contextlib
import importlib
import inspect
import json
import os
import pkgutil
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from mlpapers import catalog, notebooks

SECONDS_PER_SUBSTITUTION = 3.0  # at least; else ten times what the reference needs for the same cells


# --- the probe: runs in the subprocess -----------------------------------------------------------

class _Timeout(BaseException):
    """Raised by the alarm inside a candidate that runs too long (a BaseException: not caught by tests)."""


def _alarm(_signum, _frame):
    raise _Timeout()


def _cells(nb) -> list[tuple[int, str, bool, bool]]:
    """(index, source, is graded, is solution) of every code cell."""
    return [(i, c.source, notebooks.is_grade(c), notebooks.is_solution(c))
            for i, c in enumerate(nb.cells) if c.cell_type == "code"]


def _run(source: str, ns: dict, name: str, limit: float | None = None) -> str | None:
    """Execute one cell in ``ns``; return None if it raised nothing, else the error's name."""
    from mlpapers.given import parse_cell
    tree = parse_cell(source)
    if tree is None:
        return "SyntaxError"
    code = compile(tree, name, "exec")
    if limit:
        signal.signal(signal.SIGALRM, _alarm)
        signal.setitimer(signal.ITIMER_REAL, limit)
    try:
        with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
            exec(code, ns)
        return None
    except _Timeout:
        return "timeout"
    except BaseException as exc:  # SystemExit included: a candidate may call anything
        return type(exc).__name__
    finally:
        if limit:
            signal.setitimer(signal.ITIMER_REAL, 0)
        import matplotlib.pyplot as plt
        plt.close("all")


def _defined_names(source: str) -> list[str]:
    from mlpapers.given import parse_cell
    tree = parse_cell(source)
    return [n.name for n in (tree.body if tree else [])
            if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]


def _defined_in(module) -> dict[str, object]:
    """The functions and classes a module defines itself (not those it imports)."""
    return {name: obj for name, obj in vars(module).items()
            if (inspect.isfunction(obj) or inspect.isclass(obj)) and obj.__module__ == module.__name__}


def _package_candidates() -> dict[str, object]:
    """Every function and class defined in a module of the course package."""
    import mlpapers
    found: dict[str, object] = {}
    for info in pkgutil.walk_packages(mlpapers.__path__, "mlpapers."):
        if info.name.endswith("__main__"):
            continue
        try:
            module = importlib.import_module(info.name)
        except Exception:  # a module that needs what this machine lacks cannot be received either
            continue
        found.update({f"{module.__name__}.{name}": obj for name, obj in _defined_in(module).items()})
    return found


def _given_candidates(folder: Path) -> dict[str, object]:
    """Every function and class of the Python modules released with the problem."""
    found: dict[str, object] = {}
    for path in sorted(folder.glob("*.py")):
        module = importlib.import_module(path.stem)
        found.update({f"{path.name}:{name}": obj for name, obj in _defined_in(module).items()})
    return found


def _visible_candidates(release_nb, ns: dict) -> dict[str, object]:
    """Functions and classes defined anywhere (outside a function) in the release's visible cells."""
    from mlpapers.given import parse_cell
    found: dict[str, object] = {}
    for index, source, _graded, solution in _cells(release_nb):
        tree = parse_cell(source) if not solution else None
        if tree is None:
            continue
        defs = []
        stack = list(tree.body)
        while stack:  # statements, descending into with/if/for/try blocks but not into functions
            node = stack.pop(0)
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                defs.append(node)
            else:
                for field in ("body", "orelse", "finalbody", "handlers"):
                    stack += [n for n in getattr(node, field, []) if isinstance(n, ast.AST)]
        for node in defs:
            scope = dict(ns)
            with contextlib.suppress(Exception):
                exec(compile(ast.Module(body=[node], type_ignores=[]), f"<release cell {index}>", "exec"), scope)
                found[f"release cell {index}:{node.name}"] = scope[node.name]
    return found


def _accepts(candidate, calls: list[tuple[int, tuple[str, ...]]]) -> bool:
    """True unless the candidate's signature refuses one of the recorded call shapes."""
    try:
        sig = inspect.signature(candidate)
    except (TypeError, ValueError):
        return True  # no signature to read: run it
    for n_args, kwargs in calls:
        try:
            sig.bind(*range(n_args), **{k: None for k in kwargs})
        except TypeError:
            return False
    return True


def probe(spec: dict) -> dict:
    """Substitute every candidate for every graded function of one problem; return the report."""
    import matplotlib
    matplotlib.use("Agg")
    import nbformat
    here = Path.cwd()
    sys.path.insert(0, str(here))
    source = nbformat.read(spec["source"], as_version=4)
    release = nbformat.read(spec["release"], as_version=4)
    cells = _cells(source)
    last = max((k for k, (_, _, graded, _) in enumerate(cells) if graded), default=-1)
    ns: dict = {"__name__": "__main__"}
    exec("from IPython.display import display", ns)
    answers: list[str] = []
    calls: dict[str, list] = {}
    cells_of: dict[str, list[int]] = {}
    value_cells: dict[str, list[int]] = {}  # cells in which a call of the reference returned
    baseline: dict[int, str | None] = {}
    seconds: dict[int, float] = {}
    current: list[int] = []

    def recorder(name, fn):
        def wrapper(*args, **kwargs):
            if not current:
                return fn(*args, **kwargs)
            calls.setdefault(name, []).append((len(args), tuple(sorted(kwargs))))
            cells = cells_of.setdefault(name, [])
            if current[0] not in cells:
                cells.append(current[0])
            result = fn(*args, **kwargs)  # a call that raises leaves the cell out of value_cells
            if current[0] not in value_cells.setdefault(name, []):
                value_cells[name].append(current[0])
            return result
        wrapper.__wrapped__ = fn
        return wrapper

    originals: dict[str, object] = {}
    for k, (index, src, graded, solution) in enumerate(cells[:last + 1]):
        if "parameters" in source.cells[index].metadata.get("tags", []):
            _run(src + "\ninteractive = False\n", ns, f"<cell {index}>")
            continue
        if graded:
            current[:] = [index]
            start = time.perf_counter()
            baseline[index] = _run(src, ns, f"<cell {index}>")
            seconds[index] = time.perf_counter() - start
            current.clear()
            continue
        error = _run(src, ns, f"<cell {index}>")
        if solution:
            if error:
                return {"error": f"solution cell {index} raised {error}"}
            for name in _defined_names(src):
                answers.append(name)
                originals[name] = ns[name]
                ns[name] = recorder(name, ns[name])
    for name, fn in originals.items():
        ns[name] = fn
    failing = [i for i, e in baseline.items() if e]
    if failing:
        return {"error": f"the reference solution fails graded cells {failing}"}
    pool = {**_given_candidates(here), **_package_candidates(), **_visible_candidates(release, ns)}
    # No answer starts a process; a candidate that tries (an nbgrader or git helper) fails at once.
    resource.setrlimit(resource.RLIMIT_NPROC, (0, 0))
    graded_cells = {i: src for i, src, graded, _ in cells if graded}
    report: dict = {"functions": {}}
    for name in answers:
        if not cells_of.get(name):
            continue
        mine = sorted(value_cells.get(name) or cells_of[name])
        entry = {"cells": mine, "bad_input_cells": sorted(set(cells_of[name]) - set(mine)), "tried": 0,
                 "refused_by_signature": 0, "ran": 0, "leaks": []}
        limit = max(spec.get("seconds", SECONDS_PER_SUBSTITUTION), 10 * sum(seconds[i] for i in mine))
        for label, candidate in pool.items():
            entry["tried"] += 1
            if not _accepts(candidate, calls[name]):
                entry["refused_by_signature"] += 1
                continue
            entry["ran"] += 1
            ns[name] = candidate
            deadline = time.perf_counter() + limit
            passed = True
            for i in mine:
                left = deadline - time.perf_counter()
                if left <= 0 or _run(graded_cells[i], ns, f"<cell {i}>", limit=left) is not None:
                    passed = False
                    break
            ns[name] = originals[name]
            if passed:
                entry["leaks"].append(label)
        report["functions"][name] = entry
    return report


# --- the driver: runs in the validator ----------------------------------------------------------

def run_probe(problem: catalog.Problem, timeout: float = 900) -> dict:
    """Probe one problem in a subprocess (sandboxed as root); return its report."""
    from mlpapers.grader import sandbox
    from mlpapers.paths import RELEASE, SOLUTIONS
    scratch = Path(tempfile.mkdtemp(prefix="mlpleak-", dir=sandbox.scratch_base()))
    work = Path(tempfile.mkdtemp(prefix="mlpleak-spec-"))
    try:
        for path in (RELEASE / problem.folder).rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts:
                dest = scratch / path.relative_to(RELEASE / problem.folder)
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, dest)
        shutil.copyfile(SOLUTIONS / problem.notebook, scratch / ".source.ipynb")
        spec = work / "spec.json"
        spec.write_text(json.dumps({"source": ".source.ipynb", "release": f"{problem.stem}.ipynb"}))
        probe_argv = [sys.executable, "-m", "mlpapers.leaks", "-f", str(spec)]
        env = {k: v for k, v in os.environ.items() if k not in ("MLPAPERS_ROOT",)}
        env.update(MPLBACKEND="Agg", HOME=str(scratch), MPLCONFIGDIR=str(scratch / ".matplotlib"))
        with sandbox.unique_uid() as uid:
            if uid is not None:
                sandbox.hand_over(scratch, uid)
                argv = sandbox.command(scratch, uid, sandbox.hidden_paths(), probe_argv,
                                       cpu_seconds=int(timeout), keep_stdio=True)
            else:
                argv = probe_argv
                env["MLPAPERS_ROOT"] = str(scratch)  # course paths point at the scratch, not the checkout
            proc = subprocess.run(argv, cwd=scratch, env=env, capture_output=True, text=True, timeout=timeout)
        lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
        if proc.returncode != 0 or not lines:
            return {"error": f"the probe exited {proc.returncode}: {(proc.stderr or proc.stdout)[-800:]}"}
        return json.loads(lines[-1])
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        shutil.rmtree(work, ignore_errors=True)


def leak_findings(problem: catalog.Problem):
    """Validation findings: one per graded function, plus a summary line."""
    from mlpapers.validate import Finding
    report = run_probe(problem)
    if "error" in report:
        return [Finding(problem.notebook, "no leak", False, report["error"])]
    found = []
    for name, entry in report["functions"].items():
        found.append(Finding(problem.notebook, f"no leak: {name}", not entry["leaks"],
                             f"{entry['tried']} substitutions ({entry['ran']} run, {entry['refused_by_signature']} "
                             f"refused by signature) over graded cells {entry['cells']}"
                             + (f" (bad-input cells {entry['bad_input_cells']} aside)" if entry["bad_input_cells"] else "")
                             + (f"; PASSED BY {entry['leaks']}" if entry["leaks"] else "")))
    if not found:
        found.append(Finding(problem.notebook, "no leak", False, "no graded function was called by a graded cell"))
    return found


def summary(findings) -> str:
    """'N substitutions, M leaks' over the leak findings of a validation."""
    import re
    total = leaks = 0
    for f in findings:
        if f.check.startswith("no leak"):
            m = re.match(r"(\d+) substitutions", f.detail)
            total += int(m.group(1)) if m else 0
            leaks += 0 if f.ok else 1
    return f"{total} substitutions, {leaks} leaks"


def main(argv: list[str] | None = None) -> None:
    args = argv if argv is not None else sys.argv[1:]
    spec = json.loads(Path(args[args.index("-f") + 1]).read_text())
    report = probe(spec)
    sys.stdout.write("\n" + json.dumps(report) + "\n")


if __name__ == "__main__":
    main()

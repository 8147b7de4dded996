"""Canonical stored form, mutant insertion, the workspace and the papermill report format."""
import nbformat

from mlpapers import notebooks
from mlpapers.execute import with_mutant
from mlpapers.solutions_run import NotebookReport, format_report
from mlpapers.workspace import fill_workspace


def _nb():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# title"),
                nbformat.v4.new_code_cell("def f(x):\n    return x", metadata={
                    "nbgrader": {"grade": False, "grade_id": "f", "locked": False, "schema_version": 3,
                                 "solution": True, "task": False}, "scrolled": True}),
                nbformat.v4.new_code_cell("assert f(2) == 2", metadata={
                    "nbgrader": {"grade": True, "grade_id": "test_f", "locked": True, "points": 1,
                                 "schema_version": 3, "solution": False, "task": False}})]
    nb.cells[1].outputs = [nbformat.v4.new_output("stream", text="hi")]
    nb.cells[1].execution_count = 3
    nb.metadata["widgets"] = {"state": {}}
    return nb


def test_canonical_form_is_stable_and_clean():
    nb = _nb()
    del nb.cells[2]["id"]  # a cell without an id gets its grade_id
    text = notebooks.dumps(nb)
    again = notebooks.dumps(nbformat.reads(text, as_version=4))
    assert text == again
    nb = nbformat.reads(text, as_version=4)
    assert nb.cells[1].outputs == [] and nb.cells[1].execution_count is None
    assert "scrolled" not in nb.cells[1].metadata and "widgets" not in nb.metadata
    assert nb.cells[2].id == "test_f" and notebooks.points(nb) == 1


def test_mutant_runs_after_every_solution_cell():
    nb = with_mutant(_nb(), "def f(x):\n    return -x")
    assert [c.source for c in nb.cells][2] == "def f(x):\n    return -x"
    assert len(nb.cells) == 4


def test_workspace_is_filled_but_never_overwritten(tmp_path):
    rel, ws = tmp_path / "release", tmp_path / "notebooks"
    (rel / "ch").mkdir(parents=True)
    (rel / "ch" / "a.ipynb").write_text("release a")
    assert fill_workspace(rel, ws) == [ws / "ch" / "a.ipynb"]
    (ws / "ch" / "a.ipynb").write_text("my edits")
    (rel / "ch" / "a.ipynb").write_text("release a, v2")
    (rel / "ch" / "b.ipynb").write_text("release b")
    assert fill_workspace(rel, ws) == [ws / "ch" / "b.ipynb"]
    assert (ws / "ch" / "a.ipynb").read_text() == "my edits"
    assert fill_workspace(rel, ws) == []


def test_workspace_refreshes_files_the_student_never_touched(tmp_path):
    rel, ws = tmp_path / "release", tmp_path / "notebooks"
    (rel / "ch").mkdir(parents=True)
    (rel / "ch" / "ch_given.py").write_text("v1")
    (rel / "ch" / "a.ipynb").write_text("a v1")
    fill_workspace(rel, ws)
    (ws / "ch" / "a.ipynb").write_text("my answer")
    (rel / "ch" / "ch_given.py").write_text("v2 with a fix")
    (rel / "ch" / "a.ipynb").write_text("a v2")
    assert fill_workspace(rel, ws) == [ws / "ch" / "ch_given.py"]
    assert (ws / "ch" / "ch_given.py").read_text() == "v2 with a fix"
    assert (ws / "ch" / "a.ipynb").read_text() == "my answer"


def test_a_workspace_of_the_chapter_layout_moves_to_problem_folders_and_loses_nothing(tmp_path):
    """A learner who filled notebooks/ when a chapter came at once keeps every edit: edited
    notebooks move into their problem's folder, untouched files give way to the new release."""
    from mlpapers import catalog
    from mlpapers.paths import RELEASE
    from mlpapers.workspace import migrate

    old, ws = tmp_path / "old_release", tmp_path / "notebooks"
    edited, untouched = catalog.problem(173), catalog.problem(174)
    (old / "turboquant").mkdir(parents=True)
    for p in (edited, untouched):
        (old / "turboquant" / f"{p.stem}.ipynb").write_text(f"old release of {p.id}")
    (old / "turboquant" / "turboquant_given.py").write_text("the whole chapter's answers")
    fill_workspace(old, ws)
    (ws / "turboquant" / f"{edited.stem}.ipynb").write_text("my work on 173")

    said = migrate(ws)
    assert (ws / edited.released).read_text() == "my work on 173"
    assert not (ws / "turboquant" / f"{untouched.stem}.ipynb").exists()
    assert not (ws / "turboquant" / "turboquant_given.py").exists()
    assert len(said) == 3, said
    fill_workspace(RELEASE, ws)
    assert (ws / edited.released).read_text() == "my work on 173"  # never overwritten
    assert (ws / untouched.released).read_bytes() == (RELEASE / untouched.released).read_bytes()
    assert (ws / untouched.folder / "turboquant_given.py").exists()
    assert migrate(ws) == []  # idempotent


def test_report_ends_with_the_count():
    text = format_report([NotebookReport("a.ipynb", "passed", 1.0, "cpu"),
                          NotebookReport("b.ipynb", "failed", 2.0, "cuda", "boom")])
    assert text.splitlines()[-1] == "1 passed, 1 failed"


def test_device_reaches_notebooks_that_declare_it(tmp_path, monkeypatch):
    """`make solutions DEVICE=cuda` passes device to a torch notebook's parameters (and only there)."""
    import mlpapers.solutions_run as sr
    from mlpapers.catalog import Problem

    def notebook(params: str, body: str):
        nb = nbformat.v4.new_notebook()
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nb.cells = [nbformat.v4.new_code_cell(params, metadata={"tags": ["parameters"]}),
                    nbformat.v4.new_code_cell(body)]
        return nb

    (tmp_path / "src" / "demo").mkdir(parents=True)
    nbformat.write(notebook("seed = 0\ninteractive = True\ndevice = 'cpu'",
                            "assert device == 'cuda' and interactive is False"),
                   str(tmp_path / "src" / "demo" / "1_torch.ipynb"))
    nbformat.write(notebook("seed = 0\ninteractive = True", "assert 'device' not in globals()"),
                   str(tmp_path / "src" / "demo" / "2_numpy.ipynb"))
    monkeypatch.setattr(sr, "SOLUTIONS", tmp_path / "src")
    probs = [Problem(1, "demo", "torch", "t", "Easy", ()), Problem(2, "demo", "numpy", "n", "Easy", ())]
    reports = sr.run_solutions(probs, device="cuda", out_dir=tmp_path / "out")
    assert [(r.status, r.device) for r in reports] == [("passed", "cuda"), ("passed", "cpu (NumPy)")], reports


def test_bench_class_spreads_solved_stub_and_mutant_over_students(tmp_path):
    """`make bench-grading`'s synthetic class: every ready notebook once per student, three kinds."""
    from conftest import ready_problems
    from mlpapers.grader.bench import build_class, format_bench

    n = build_class(tmp_path, students=3)
    ready = ready_problems()
    assert n == 3 * len(ready)
    p = ready[0]
    solved, stub, mutant = (nbformat.read(str(tmp_path / "grading" / "submitted" / f"s00{i}" / p.assignment /
                                              f"{p.stem}.ipynb"), as_version=4) for i in range(3))
    answers = lambda nb: [c.source for c in nb.cells if notebooks.is_solution(c) and c.cell_type == "code"]  # noqa: E731
    assert all("raise NotImplementedError" in a for a in answers(stub))
    assert not any("raise NotImplementedError()" == a.strip().splitlines()[-1] for a in answers(solved))
    assert answers(mutant) != answers(solved) and answers(mutant)[0].startswith(answers(solved)[0])
    report = format_bench({"notebooks": n, "students": 3, "workers": 3, "machine_cores": 2,
                           "nbgrader_seconds": 114.0, "course_seconds": 47.0, "nbgrader_per_minute": 28.4,
                           "course_per_minute": 68.9, "speedup": 2.42, "mean_cell_seconds": 1.37,
                           "course_core_seconds_per_notebook": 1.9, "statuses": {"graded": n},
                           "judge": {"test_cells": 70, "calls": 6500, "median_extra_ms": 1.4, "mean_extra_ms": 9.0,
                                     "total_extra_s": 0.63, "per_call_us": 270.0},
                           "overheads": {"torch": {"notebook": "361_muon", "own_cells": 0.4, "cold_per_notebook": 2.6,
                                                   "warm_per_notebook": 1.2, "cold_overhead": 2.2,
                                                   "warm_overhead": 0.8, "fixed": 6.0}},
                           "projection": {"students": 3000, "notebooks_each": 43, "machines": 10, "cores": 32,
                                          "notebooks_per_machine": 12900, "hours": 0.21,
                                          "gradebook_writes_per_second": 168.4}})
    assert "speedup: 2.42x" in report and "3000 students x 43 notebooks on 10 machines of 32 cores" in report
    assert "torch notebook (361_muon, own cells 0.40 core-s): cold kernels 2.20 core-s, warm kernels 0.80" in report
    assert "assuming:" in report
    assert "judge channel: 70 test cells making 6500 calls" in report and "270 us per call" in report


def test_a_driver_past_its_deadline_stops_and_leaves_evidence(tmp_path, monkeypatch):
    """The deadline alarm ends a run whose driver waits too long, and records what it waited on."""
    from mlpapers import execute
    monkeypatch.setattr(execute, "BUILD_STALLS", tmp_path / "stalls")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import time\ntime.sleep(30)")])
    run = execute.run_notebook(nb, cwd=tmp_path, timeout=60, deadline=3)
    assert run.aborted and run.aborted.startswith("NotebookDeadline"), run.aborted
    assert run.seconds < 20, run.seconds
    (stall,) = (tmp_path / "stalls").glob("stall-*.txt")
    text = stall.read_text()
    assert "--- thread" in text and "--- <Task" in text and "run_notebook" in text, text[:2000]


def test_a_mutant_run_stops_at_its_first_failing_graded_cell(tmp_path):
    """With stop_at_failure the run ends at the first graded cell that fails and reports the cells
    that ran; without it, every cell runs (the solution and the stub need every graded cell's fate)."""
    from mlpapers import execute

    def graded(grade_id, source):
        cell = nbformat.v4.new_code_cell(source)
        cell.metadata["nbgrader"] = {"grade": True, "grade_id": grade_id, "locked": True, "points": 1,
                                     "solution": False, "schema_version": 3}
        return cell

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1"), graded("passes", "assert x == 1"),
                                         graded("fails", "assert x == 2, 'x is 1'"),
                                         nbformat.v4.new_code_cell("y = 3"), graded("later", "assert True")])
    whole = execute.run_notebook(nb, cwd=tmp_path)
    assert [(c.grade_id, c.ran, c.passed) for c in whole.graded] == [
        ("passes", True, True), ("fails", True, False), ("later", True, True)]
    assert whole.stopped_at is None and whole.cells[-2].ran
    stopped = execute.run_notebook(nb, cwd=tmp_path, stop_at_failure=True)
    assert stopped.stopped_at == "fails" and stopped.aborted is None
    assert [(c.grade_id, c.passed) for c in stopped.graded] == [("passes", True), ("fails", False)]
    assert [c.index for c in stopped.cells] == [0, 1, 2] and "x is 1" in stopped.cells[2].error

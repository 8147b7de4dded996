"""The leak check finds an answer planted where a student would receive it, survives hostile
candidates, and looks at the whole course package. The check over every ready problem runs in
``test_notebooks.py`` (through ``validate``)."""
import json
import shutil
import subprocess
import sys

import nbformat
import pytest

from mlpapers import catalog, notebooks
from mlpapers.leaks import _package_candidates
from mlpapers.paths import RELEASE, SOLUTIONS

pytestmark = pytest.mark.notebooks
PROBLEM = catalog.problem(175)


def _answer_source(name: str) -> str:
    """The reference answer of ``name`` from the instructor source, markers removed."""
    for cell in notebooks.read(SOLUTIONS / PROBLEM.notebook).cells:
        if notebooks.is_solution(cell) and f"def {name}(" in cell.source:
            return "\n".join(line for line in cell.source.splitlines() if "### " not in line)
    raise AssertionError(name)


def probe(tmp_path, *, given_extra: str = "", visible_extra: str = "", graded_extra: str = "",
          seconds: float = 3.0) -> dict:
    """Run the probe (unsandboxed) on 175's release folder with something planted in it
    (``graded_extra``: one more graded cell, at the end of the instructor's source)."""
    folder = tmp_path / "release"
    shutil.copytree(RELEASE / PROBLEM.folder, folder)
    given = folder / "turboquant_given.py"
    given.write_text(given.read_text() + "\n\n" + given_extra + "\n")
    nb = notebooks.read(folder / f"{PROBLEM.stem}.ipynb")
    if visible_extra:
        setup = next(i for i, c in enumerate(nb.cells) if notebooks.nbgrader_meta(c).get("grade_id") == "setup")
        nb.cells.insert(setup + 1, nbformat.v4.new_code_cell(visible_extra))
    nbformat.write(nb, str(folder / f"{PROBLEM.stem}.ipynb"))
    source = notebooks.read(SOLUTIONS / PROBLEM.notebook)
    if graded_extra:
        cell = nbformat.v4.new_code_cell(graded_extra)
        cell.metadata["nbgrader"] = {"grade": True, "grade_id": "test_extra", "locked": True, "points": 1,
                                     "schema_version": 3, "solution": False, "task": False}
        source.cells.append(cell)
    nbformat.write(source, str(folder / ".source.ipynb"))
    (tmp_path / "spec.json").write_text(json.dumps(
        {"source": ".source.ipynb", "release": f"{PROBLEM.stem}.ipynb", "seconds": seconds}))
    proc = subprocess.run([sys.executable, "-m", "mlpapers.leaks", "-f", str(tmp_path / "spec.json")],
                          cwd=folder, capture_output=True, text=True, timeout=600,
                          # the course's paths point at the scratch: a candidate such as figures.write_all,
                          # called with the test's arguments, must not write into the checkout
                          env={"MPLBACKEND": "Agg", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path),
                               "MLPAPERS_ROOT": str(tmp_path)})
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


ARGUMENTS = "import math\nfrom mlpapers.arguments import integer, int_array, real_array, require\n"


def test_an_answer_in_the_given_module_is_a_leak(tmp_path):
    planted = ARGUMENTS + _answer_source("mse_distortion_bounds").replace("def mse_distortion_bounds(", "def bounds(")
    report = probe(tmp_path, given_extra=planted)
    assert report["functions"]["mse_distortion_bounds"]["leaks"] == ["turboquant_given.py:bounds"]
    assert report["functions"]["tq_mse_quantize"]["leaks"] == []


def test_an_oracle_in_a_visible_cell_is_a_leak(tmp_path):
    planted = ARGUMENTS + _answer_source("tq_mse_dequantize").replace("def tq_mse_dequantize(", "def expected_x_hat(")
    report = probe(tmp_path, visible_extra=planted)
    leaks = report["functions"]["tq_mse_dequantize"]["leaks"]
    assert len(leaks) == 1 and leaks[0].endswith(":expected_x_hat"), leaks


def test_an_oracle_without_the_argument_checks_still_leaks(tmp_path):
    """Problem 417 once had a visible test oracle that computed the mask but raised nothing on bad
    input; only the bad-input cell told it apart. Cells in which every reference call raised do not
    count, so such an oracle is reported."""
    planted = ("def recon(idx, norms, Pi, centroids):\n"
               "    return np.asarray(norms, dtype=float)[..., None] * (np.asarray(centroids)[np.asarray(idx)] @ Pi)\n")
    bad_input = ("check_raises(tq_mse_dequantize, np.array([0.0, 1.0]), 1.0, np.eye(2), np.array([-1.0, 1.0]),\n"
                 "             error=TypeError, call='tq_mse_dequantize(float idx, ...)', mentions='idx')\n")
    report = probe(tmp_path, visible_extra=planted, graded_extra=bad_input)
    entry = report["functions"]["tq_mse_dequantize"]
    assert entry["bad_input_cells"], entry
    assert [leak.split(":")[-1] for leak in entry["leaks"]] == ["recon"], entry


def test_hostile_candidates_cannot_stop_the_check(tmp_path):
    """A candidate that never returns, one that exits the process and one that prints without end
    are each refused, and the report still comes back."""
    planted = ("def spin(bits):\n    while True:\n        pass\n\n"
               "def leave(bits):\n    raise SystemExit(0)\n\n"
               "def chatter(bits):\n    while True:\n        print('x' * 1000)\n")
    report = probe(tmp_path, given_extra=planted, seconds=2.0)
    entry = report["functions"]["mse_distortion_bounds"]
    assert entry["leaks"] == [] and entry["ran"] >= 3


def test_the_pool_holds_every_module_of_the_course_package():
    names = _package_candidates()
    modules = {n.rsplit(".", 1)[0] for n in names}
    for expected in ("mlpapers.checks", "mlpapers.triattention.synth", "mlpapers.turboquant.codebook_widget",
                     "mlpapers.diffusiongemma.toy_denoiser", "mlpapers.grader.runner", "mlpapers.widgetkit"):
        assert expected in modules, expected
    assert len(names) > 150

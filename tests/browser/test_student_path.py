"""The student's path, the way a newcomer takes it, from a fresh clone.

``make lab`` in a fresh clone fills ``notebooks/`` from ``release/`` and starts JupyterLab (as root
too: CI and containers run as root). On a half-solved notebook, the nbgrader *Validate* button in
that JupyterLab (clicked in headless Chromium) and ``make check`` report the same failing graded
cells. Then the course publishes a newer release: after ``git pull``, ``make update`` adds the new
notebook to ``notebooks/`` and leaves the student's edited notebook byte for byte as it was.

The clone's ``.venv`` is the only shortcut: building it takes minutes and the network, so the
clone's ``make`` is pointed at this test session's interpreter (``PY=...``) with the install stamp
in place. Everything else is the clone's own Makefile, CLI and files.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import nbformat
import pytest

from labkit import OPEN_NOTEBOOK_JS, SCREENSHOTS, ConsoleLog, chromium, running_lab, wait_for_app
from mlpapers import catalog, notebooks
from mlpapers.workspace import MANIFEST
from mlpapers.paths import RELEASE, ROOT, SOLUTIONS

pytestmark = pytest.mark.browser
GIT = ["git", "-c", "user.name=Course Bot", "-c", "user.email=course@example.invalid",
       "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false"]


def _git(cwd: Path, *args: str) -> str:
    proc = subprocess.run([*GIT, *args], cwd=cwd, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def _repo_files() -> list[str]:
    """What a clone of this checkout holds: tracked files plus new ones git does not ignore."""
    out = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout
    return [f for f in out.split("\0") if f and (ROOT / f).is_file()]


def _released() -> list[catalog.Problem]:
    return [p for p in catalog.problems() if (RELEASE / p.released).exists() and (SOLUTIONS / p.notebook).exists()]


def _half_solvable() -> catalog.Problem:
    """The first released problem with two or more answer cells (so half of them can be filled)."""
    for p in _released():
        cells = [c for c in notebooks.read(RELEASE / p.released).cells if notebooks.is_solution(c)]
        if len(cells) >= 2:
            return p
    pytest.fail("no released notebook has two answer cells to half-solve")


def _half_solved(problem: catalog.Problem):
    """The release notebook with the first half of its answer cells filled from solutions/."""
    answers = {notebooks.nbgrader_meta(c).get("grade_id"): c.source
               for c in notebooks.read(SOLUTIONS / problem.notebook).cells if notebooks.is_solution(c)}
    nb = notebooks.read(RELEASE / problem.released)
    sol = [c for c in nb.cells if notebooks.is_solution(c)]
    for cell in sol[: max(1, len(sol) // 2)]:
        cell.source = answers[notebooks.nbgrader_meta(cell)["grade_id"]]
    return nb


def _make(clone: Path, *args: str, timeout: int = 300) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("NBGRADER_EXECUTION", "MLPAPERS_ROOT")}
    return subprocess.run(["make", "--no-print-directory", *args, f"PY={sys.executable}"], cwd=clone,
                          env=env, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """An upstream course repository one release behind, and a student's fresh clone of it."""
    tmp = tmp_path_factory.mktemp("student")
    upstream, clone = tmp / "upstream", tmp / "clone"
    files = _repo_files()
    later = [p for p in _released() if p != _half_solvable()][-1]  # published in the "newer release"
    held_back = f"release/{later.folder}/"  # the whole problem folder: notebook and given module
    for f in files:
        if not f.startswith((held_back, "tests/")):
            dest = upstream / f
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / f, dest)
    _git(upstream, "init", "-q")
    _git(upstream, "add", "-A")
    _git(upstream, "commit", "-q", "-m", "course release 1")
    _git(tmp, "clone", "-q", str(upstream), str(clone))
    # The only shortcut: the clone's venv stamp, so `make` uses this session's interpreter.
    (clone / ".venv").mkdir()
    (clone / ".venv" / ".installed").touch()
    return {"tmp": tmp, "upstream": upstream, "clone": clone, "later": later}


def test_make_lab_fills_notebooks_and_validate_agrees_with_make_check(course):
    clone, tmp = course["clone"], course["tmp"]
    assert sorted(p.name for p in (clone / "notebooks").iterdir()) == ["README.md"]  # the fresh clone's workspace
    problem = _half_solvable()
    with running_lab(["make", "--no-print-directory", "lab", f"PY={sys.executable}"], cwd=clone,
                     home=tmp / "lab") as lab:
        # Run as root (CI, containers) this only answers because `lab` adds --allow-root.
        released = sorted(str(p.relative_to(clone / "release")) for p in (clone / "release").rglob("*") if p.is_file())
        filled = sorted(str(p.relative_to(clone / "notebooks")) for p in (clone / "notebooks").rglob("*")
                        if p.is_file() and p.name not in (MANIFEST, "README.md"))
        assert filled == released, "make lab did not copy release/ into notebooks/"
        listing = lab.api(f"/api/contents/{problem.folder}")
        assert f"{problem.stem}.ipynb" in {c["name"] for c in listing["content"]}
        _assert_student_view(lab)

        # The student half-solves a notebook and saves it.
        mine = clone / "notebooks" / problem.released
        nbformat.write(_half_solved(problem), str(mine))

        check = _make(clone, "check", f"NB=notebooks/{problem.released}")
        assert re.search(r"^\d+ passed, \d+ failed$", check.stdout, re.M), check.stdout + check.stderr
        check_failed = set(re.findall(r"^\s+FAIL\s+(\S+?):", check.stdout, re.M))
        check_passed = set(re.findall(r"^\s+pass\s+(\S+)$", check.stdout, re.M))
        assert check_failed and check_passed, f"not half-solved: {check.stdout}"

        button = _click_validate(lab, problem)
        grade_ids = {c.source.strip(): notebooks.nbgrader_meta(c).get("grade_id")
                     for c in notebooks.read(mine).cells if notebooks.is_grade(c)}
        assert button["success"], button
        validate_failed = {grade_ids.get(c["source"], c["source"][:60]) for c in button["value"].get("failed", [])}
        assert validate_failed == check_failed, (
            f"Validate button failed {sorted(validate_failed)}, make check failed {sorted(check_failed)}")
        assert (check.returncode == 0) == (not validate_failed)


def _assert_student_view(lab) -> None:
    """`make lab` is the student view: no formgrader or "create assignment", and no news prompt on a first start."""
    with pytest.raises(urllib.error.HTTPError) as missing:
        lab.api("/formgrader")
    assert missing.value.code == 404, missing.value
    page = urllib.request.urlopen(f"{lab.url}/lab?token={lab.token}", timeout=60).read().decode()
    config = json.loads(re.search(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>', page, re.S)[1])
    for plugin in ("@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment", "@jupyter/nbgrader:course-list"):
        assert plugin in config["disabledExtensions"], config["disabledExtensions"]
    for plugin in ("@jupyter/nbgrader:assignment-list", "@jupyter/nbgrader:validate-assignment"):
        assert plugin not in config["disabledExtensions"], config["disabledExtensions"]
    # The course's default (deploy/jupyter/lab-settings) is what a first start uses: "Never", not "Ask".
    news = lab.api("/lab/api/settings/@jupyterlab/apputils-extension:notification")
    assert news["schema"]["properties"]["fetchNews"]["default"] == "false", news["schema"]["properties"]["fetchNews"]


def _click_validate(lab, problem) -> dict:
    """Open the notebook in JupyterLab, press nbgrader's Validate button, return what it showed."""
    shots = SCREENSHOTS / "student_path"
    shots.mkdir(parents=True, exist_ok=True)
    with chromium() as browser:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        console = ConsoleLog(page)
        try:
            page.goto(f"{lab.url}/lab/workspaces/validate?reset&token={lab.token}")
            wait_for_app(page)
            page.evaluate(OPEN_NOTEBOOK_JS, problem.released)
            button = page.locator(".jp-NotebookPanel-toolbar").get_by_text("Validate", exact=True)
            button.wait_for(state="visible", timeout=30_000)
            with page.expect_response(lambda r: "/assignments/validate" in r.url, timeout=120_000) as resp:
                button.click()
            result = json.loads(resp.value.text())
            dialog = page.locator(".jp-Dialog")
            dialog.wait_for(state="visible", timeout=30_000)
            page.screenshot(path=str(shots / f"validate_{problem.stem}.png"))
            text = dialog.inner_text()
            if result.get("value", {}).get("failed"):
                assert "failed" in text.lower(), text[:500]
            assert not console.errors, "console errors in the page:\n" + "\n".join(console.errors)
            return result
        finally:
            context.close()


def test_a_newer_release_adds_notebooks_and_never_overwrites_edited_ones(course):
    clone, upstream, later = course["clone"], course["upstream"], course["later"]
    problem = _half_solvable()
    mine = clone / "notebooks" / problem.released
    if not mine.exists():  # this test alone: the student has a workspace...
        assert _make(clone, "update").returncode == 0
    if mine.read_bytes() == (clone / "release" / problem.released).read_bytes():
        nbformat.write(_half_solved(problem), str(mine))  # ...and an edited notebook
    edited = mine.read_bytes()
    assert not (clone / "notebooks" / later.folder).exists()

    # The course publishes a newer release: a new problem, and a revised copy of the edited one.
    shutil.copytree(RELEASE / later.folder, upstream / "release" / later.folder)
    revised = notebooks.read(upstream / "release" / problem.released)
    revised.cells.append(nbformat.v4.new_markdown_cell("Erratum: a clearer hint."))
    nbformat.write(revised, str(upstream / "release" / problem.released))
    _git(upstream, "add", "-A")
    _git(upstream, "commit", "-q", "-m", "course release 2")

    _git(clone, "pull", "-q", "--ff-only")  # notebooks/ is ignored: the pull never conflicts
    update = _make(clone, "update")
    assert update.returncode == 0, update.stdout + update.stderr
    assert (clone / "notebooks" / later.released).read_bytes() == (RELEASE / later.released).read_bytes()
    assert later.released in update.stdout
    assert mine.read_bytes() == edited, "make update overwrote the student's edited notebook"
    again = _make(clone, "update")
    assert "0 new or updated file(s)" in again.stdout, again.stdout

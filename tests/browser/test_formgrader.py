"""The instructor's side in the browser: nbgrader's formgrader on a class the course grader graded.

A throwaway course grades one problem for three students with ``autograde`` (solved, untouched, and
solved but with one answer broken), then the instructor view (``make lab-instructor``: JupyterLab in
the course root with the formgrader) serves it on loopback. In headless Chromium the formgrader lists
the class with the scores of ``grades.csv``, opens one student's notebook with each test cell's score,
and takes a manual score for one cell; ``nbgrader export`` then reports the adjusted total.
"""
from __future__ import annotations

import csv
import shutil
import sys

import pytest

from coursekit import journal_rows, make_course, nbgrader_export, run_cli, submit
from labkit import SCREENSHOTS, ConsoleLog, chromium, running_lab
from mlpapers import catalog, notebooks
from mlpapers.paths import ROOT
from mlpapers.submissions import solved_copy, untouched_copy

pytestmark = pytest.mark.browser
PROBLEM = catalog.problem(285)  # quick to grade; several test cells worth different points
SHOTS = SCREENSHOTS / "formgrader"


def _broken_copy(problem: catalog.Problem):
    """A solved copy whose last answer cell raises: some test cells pass, the rest fail."""
    nb = solved_copy(problem)
    answers = [c for c in nb.cells if notebooks.is_solution(c)]
    answers[-1].source = "raise NotImplementedError()"
    return nb


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("formgrader")
    root = make_course(tmp, [PROBLEM])
    shutil.copytree(ROOT / "deploy" / "jupyter", root / "deploy" / "jupyter")  # the instructor view
    submit(root, "alice", PROBLEM, solved_copy(PROBLEM))
    submit(root, "bob", PROBLEM, untouched_copy(PROBLEM))
    submit(root, "carol", PROBLEM, _broken_copy(PROBLEM))
    run_cli(root, "autograde")
    with (root / "grading" / "grades.csv").open() as f:
        rows = {r["student"]: r for r in csv.DictReader(f)}
    assert {s: r["status"] for s, r in rows.items()} == {"alice": "graded", "bob": "graded", "carol": "graded"}
    assert 0 < float(rows["carol"]["score"]) < PROBLEM.points, rows["carol"]
    cells = {o["student"]: o["cells"] for o in journal_rows(root)}
    return tmp, root, rows, cells


def test_autograded_notebooks_are_where_nbgrader_keeps_them(graded_class):
    _, root, rows, cells = graded_class
    for student in rows:
        folder = root / "grading" / "autograded" / student / PROBLEM.assignment
        nb = notebooks.read(folder / f"{PROBLEM.stem}.ipynb")
        assert (folder / "timestamp.txt").is_file() or not (root / "grading" / "submitted" / student /
                                                            PROBLEM.assignment / "timestamp.txt").exists()
        failed = {c["grade_id"] for c in cells[student] if c["score"] < c["points"]}
        shown = {notebooks.nbgrader_meta(c)["grade_id"] for c in nb.cells
                 if notebooks.is_grade(c) and c.cell_type == "code" and any(o.get("output_type") == "error"
                                                                            for o in c.outputs)}
        assert shown == failed, (student, shown, failed)


def test_the_formgrader_shows_the_class_and_takes_a_manual_score(graded_class):
    tmp, root, rows, cells = graded_class
    SHOTS.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "mlpapers", "lab", "--instructor"]
    with running_lab(cmd, cwd=root, home=tmp / "lab") as lab, chromium() as browser:
        page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        console = ConsoleLog(page)
        broken = []  # the course's own resources that failed to load (images of the notebook, say)
        page.on("response", lambda r: broken.append(f"{r.status} {r.url}")
                if r.status >= 400 and r.url.startswith(lab.url) else None)
        # The instructor logs in with the server's token, then opens the formgrader (its pages call its API).
        page.goto(f"{lab.url}/login?token={lab.token}")
        page.wait_for_url("**/lab**", timeout=60_000)
        # The class: one row per student with the score grades.csv has.
        page.goto(f"{lab.url}/formgrader/gradebook/{PROBLEM.assignment}/{PROBLEM.stem}")
        table = page.locator("table tbody")
        table.locator("tr").nth(len(rows) - 1).wait_for(timeout=60_000)
        page.get_by_text("Show All Names").click()  # the list is anonymous until the instructor asks
        table.locator("a.name-shown", has_text="carol").wait_for(timeout=30_000)
        page.screenshot(path=str(SHOTS / "submissions.png"))
        listed = {}
        for i in range(table.locator("tr").count()):
            text = table.locator("tr").nth(i).inner_text()
            student = next(s for s in rows if s in text)
            listed[student] = text
        assert sorted(listed) == sorted(rows), listed
        for student, text in listed.items():
            assert f"{float(rows[student]['score']):g} / {float(rows[student]['max_score']):g}" in text, (student, text)

        # One student's notebook: every test cell with its auto score.
        table.locator("a.name-shown", has_text="carol").click()
        page.wait_for_url("**/formgrader/submissions/**", timeout=60_000)
        first = cells["carol"][0]["grade_id"]
        page.locator(f"input.score#{first}").wait_for(timeout=60_000)
        for cell in cells["carol"]:
            box = page.locator(f"input.score#{cell['grade_id']}")
            page.wait_for_function("(id) => document.getElementById(id).placeholder !== ''", arg=cell["grade_id"],
                                   timeout=30_000)
            assert float(box.get_attribute("placeholder")) == cell["score"], cell
        page.screenshot(path=str(SHOTS / "carol.png"), full_page=True)

        # The instructor gives a failed cell one point by hand; the formgrader saves it to the gradebook.
        failed = next(c for c in cells["carol"] if c["score"] < c["points"])
        box = page.locator(f"input.score#{failed['grade_id']}")
        with page.expect_response(lambda r: "/formgrader/api/grade/" in r.url and r.request.method == "PUT",
                                  timeout=30_000) as saved:
            box.fill("1")
            box.press("Tab")
        assert saved.value.ok, saved.value.status
        assert not broken, broken
        # nbgrader's formgrade page loads MathJax from a CDN; this machine has no internet, so that one
        # script (and the MathJax call after it) fails here and nowhere else.
        offline = ("ERR_NAME_NOT_RESOLVED", "MathJax is not defined")
        errors = [e for e in console.errors if not any(o in e for o in offline)]
        assert not errors, "console errors in the formgrader:\n" + "\n".join(errors)

    scores = {student: score for (student, assignment), score in nbgrader_export(root).items()
              if assignment == PROBLEM.assignment}
    expected = {s: float(r["score"]) for s, r in rows.items()}
    expected["carol"] += 1.0
    assert scores == expected, (scores, expected)

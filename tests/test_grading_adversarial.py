"""Autograding holds against real student behaviour: every row ends with the right score and status.

One batch of submissions of problem 176, each modelling something students do (or attempt): the
right answer, the stub, a known-wrong answer, an endless loop, a dead kernel, a file that is not a
notebook, a missing or renamed notebook, an extra file, edited and deleted test cells, patched test
helpers, an attack on the gradebook, snooping on another student, a network connection and a
memory bomb; and what a student who has read the grader tries: a daemon that outlives its kernel,
a child holding the kernel's output open, reading the grader's environment and the hidden tests
from the input history, script in HTML output, an output flood, thousands of slow added cells,
filling /tmp, a FIFO or links in place of a notebook or a folder, and a timeout that hides
tampering. The same batch is graded into SQLite and into a real PostgreSQL cluster.
"""
import csv
import hashlib
import json
import os
import re
import secrets
from pathlib import Path

import nbformat

import pytest

from coursekit import journal_rows, make_course, nbgrader_export, run_cli, submit
from mlpapers import catalog
from mlpapers.grader import sandbox
from mlpapers.grader.gradebook import GradebookWriter
from mlpapers.notebooks import is_grade, is_solution
from mlpapers.paths import MUTANTS
from mlpapers.submissions import solved_copy, untouched_copy
from pgcluster import postgres_cluster

pytestmark = pytest.mark.notebooks
PROBLEM = catalog.problem(176)
FULL = float(PROBLEM.points)
CELL_TIMEOUT = "5"
MEMORY_MIB = "1024"  # small, so the memory bomb hits the limit within a second even on a busy machine


def answers(nb):
    return [c for c in nb.cells if is_solution(c) and c.cell_type == "code"]


def first_answer(nb):
    return answers(nb)[0]


def solved_plus(code: str, last: bool = False):
    """The solved notebook with ``code`` appended to its first (or last) answer cell."""
    nb = solved_copy(PROBLEM)
    answers(nb)[-1 if last else 0].source += "\n\n" + code
    return nb


def stub_plus(code: str):
    nb = untouched_copy(PROBLEM)
    cell = first_answer(nb)
    cell.source = code + "\n\n" + cell.source
    return nb


PATCH = ("import numpy as np\nimport mlpapers.checks as mc\nnp.allclose = lambda *a, **k: True\n"
         "mc.check_close = lambda *a, **k: None\ncheck_close = lambda *a, **k: None\n")
SLY = ("def qjl_inner_product(Y, signs, norms, S):\n    import mlpapers.checks as mc\n"
       "    mc.check_close = lambda *a, **k: None\n    globals()['check_close'] = lambda *a, **k: None\n"
       "    return 0.0\n")
# Right answers, and the function also patches the checks while a test cell runs: the tests do not
# run in the kernel, so nothing changes.
SLY_OK = ("_real_inner_product = qjl_inner_product\n\n\ndef qjl_inner_product(Y, signs, norms, S):\n"
          "    import mlpapers.checks as mc\n"
          "    mc.check_close = lambda *a, **k: None\n    return _real_inner_product(Y, signs, norms, S)\n")

# What a student who has read the judge tries: rewrite the kernel so the tests cannot fail there.
TRANSFORMER = ("get_ipython().input_transformers_post.append(lambda lines: ['pass\\n'])\n"
               "import ast\nclass _Empty(ast.NodeTransformer):\n    def visit_Module(self, node):\n"
               "        return ast.Module(body=[], type_ignores=[])\n"
               "get_ipython().ast_transformers.append(_Empty())\n")
CODESWAP = ("import mlpapers.checks as _mc\n_nothing = (lambda *a, **k: None).__code__\n"
            "for _f in (_mc.check_close, _mc.check_equal, _mc.check_shape, _mc.check_dtype, _mc.check_that):\n"
            "    _f.__code__ = _nothing\n")
TRACER = ("import sys\ndef _trace(frame, event, arg):\n"
          "    if event == 'call' and frame.f_code.co_name.startswith('check'):\n"
          "        frame.f_locals.update({'expected': frame.f_locals.get('got')})\n    return _trace\n"
          "sys.settrace(_trace)\n")
# A forged agent: answers every request of the judge with a reply to a call it never made.
FORGER = ("import mlpapers.judge.agent as _ag, mlpapers.judge.wire as _w\n"
          "def _forged(self, header, buffers):\n"
          "    _w.send_frame(self.sock, {'re': 10 ** 9, 'ok': ['b', True]})\n"
          "_ag.Agent._answer = _forged\n")
# Right answers that also record every argument the tests pass; a last cell prints the record.
RECORDER = ("_seen = []\n_real_quantize = qjl_quantize\n\n\ndef qjl_quantize(*args, **kwargs):\n"
            "    _seen.append(repr(args)[:200])\n    return _real_quantize(*args, **kwargs)\n")

SECRET = "pw-" + secrets.token_hex(8)
# A grandchild in its own session, sleeping for ten minutes: it must die with its kernel.
DAEMON = ("import os, time\nif os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n"
          "        time.sleep(600)\n    os._exit(0)\n")
# A child that keeps the kernel's stdout and stderr open for ten minutes.
HOLDER = "import subprocess\n_held = subprocess.Popen(['sleep', '600'])\n"
SCRIPT = ("from IPython.display import HTML, display\n"
          "display(HTML('<script>alert(1)</script><img src=x onerror=alert(2)>'))\n")
# 1 GiB into /tmp: the private tmpfs is smaller, so the write fails there and nothing reaches the machine.
TMPFILL = ("import tempfile\ntry:\n    with open('/tmp/mlpapers-tmpfill-' + str(id(0)), 'wb') as _f:\n"
           "        for _ in range(1024):\n            _f.write(bytes(1024 ** 2))\nexcept OSError:\n    pass\n")


def build_batch(root: Path) -> dict[str, tuple]:
    """Write every case's submission; return student -> (score test, status, reason fragment)."""
    grading = root / "grading"
    victim = grading / "submitted" / "correct" / PROBLEM.assignment / f"{PROBLEM.stem}.ipynb"
    mutant = (MUTANTS / PROBLEM.chapter / str(PROBLEM.id) / "np_sign.py").read_text()
    cases = {
        "correct": (solved_copy(PROBLEM), FULL, "graded", ""),
        "stub": (untouched_copy(PROBLEM), 0.0, "graded", ""),
        "mutant": (solved_plus(mutant), "partial", "graded", ""),
        "loop": (solved_plus("while True:\n    pass"), FULL, "timeout", "longer than"),
        "dead": (solved_plus("import os\nos._exit(1)"), 0.0, "kernel_died", "died"),
        "renamed": (solved_copy(PROBLEM), FULL, "graded", "handed in as"),
        "extra": (solved_copy(PROBLEM), FULL, "graded", ""),
        "edited": (None, FULL, "tampered", "edited locked cell"),
        "deleted": (None, FULL, "tampered", "deleted locked cell"),
        # The tests run in the judge: whatever the kernel patches, it earns what its answers earn.
        "patcher": (stub_plus(PATCH), 0.0, "graded", ""),
        "patcher_ok": (solved_plus(PATCH), FULL, "graded", ""),
        "sly": (solved_plus(SLY, last=True), "partial", "graded", ""),
        "sly_ok": (solved_plus(SLY_OK, last=True), FULL, "graded", ""),
        "transformer": (stub_plus(TRANSFORMER), 0.0, "tampered", "broke the grader's channel"),
        "codeswap": (stub_plus(CODESWAP), 0.0, "graded", ""),
        "tracer": (stub_plus(TRACER), 0.0, "graded", ""),
        "forger": (stub_plus(FORGER), 0.0, "tampered", "broke the grader's channel"),
        "recorder": (None, FULL, "graded", ""),
        "gradebook": (solved_plus(
            f"import os\nfor _p in [{str(grading / 'gradebook.db')!r}]:\n"
            "    try:\n        os.remove(_p)\n    except Exception:\n        pass\n"
            "    try:\n        open(_p, 'w').write('owned')\n    except Exception:\n        pass"),
            FULL, "tampered", "touched course files"),
        "snoop": (solved_plus(
            f"try:\n    _other = open({str(victim)!r}).read()\nexcept Exception:\n    _other = None\n"
            f"try:\n    open({str(victim)!r}, 'w').write('{{}}')\nexcept Exception:\n    pass"),
            FULL, "tampered", "touched course files"),
        "socket": (solved_plus(
            "import socket\nfor _a in [('1.1.1.1', 80), ('127.0.0.1', 22)]:\n    try:\n"
            "        socket.create_connection(_a, timeout=1).close()\n    except OSError:\n        pass"),
            FULL, "tampered", "opened a network connection"),
        "memory": (solved_plus("_hog = [bytearray(128 * 1024 ** 2) for _ in range(64)]"),
                   FULL, "error", "ran out of memory"),
        "badjson": (None, 0.0, "error", "not a readable notebook"),
        "missing": (None, 0.0, "missing", "not handed in"),
        # What a student who has read the grader tries (issue: grading that hostile code cannot fool).
        "daemon": (solved_plus(DAEMON), FULL, "graded", ""),
        "holder": (solved_plus(HOLDER), FULL, "tampered", "started a process"),
        "spy": (None, FULL, "graded", ""),
        "script": (solved_plus(SCRIPT), FULL, "graded", ""),
        "flood": (solved_plus("for _ in range(3000):\n    print('x' * 10**4)"), 0.0, "error", "printed more than"),
        "manycells": (None, "any", "timeout", "longer than"),
        "tmpfill": (solved_plus(TMPFILL), FULL, "tampered", "wrote outside its scratch folder"),
        "fifo": (None, 0.0, "error", "not a regular file"),
        "linkfile": (None, 0.0, "error", "is a symbolic link"),
        "linkdir": (None, 0.0, "error", "is a symbolic link"),
        "loop_patcher": (stub_plus(PATCH + "while True:\n    pass\n"), 0.0, "timeout", "longer than"),
        "loop_in_call": (solved_plus("def qjl_quantize(*args, **kwargs):\n    while True:\n        pass\n", last=True),
                         "any", "timeout", "longer than"),
    }
    for student, (nb, *_rest) in cases.items():
        if student == "renamed":
            submit(root, student, PROBLEM, nb, name=f"{PROBLEM.stem}-Copy1.ipynb")
        elif student == "extra":
            submit(root, student, PROBLEM, nb)
            (grading / "submitted" / student / PROBLEM.assignment / "notes.txt").write_text("my notes")
        elif student == "edited":
            nb = solved_copy(PROBLEM)
            next(c for c in nb.cells if is_grade(c)).source = "pass  # tests are overrated"
            submit(root, student, PROBLEM, nb)
        elif student == "deleted":
            nb = solved_copy(PROBLEM)
            nb.cells.remove(next(c for c in nb.cells if is_grade(c)))
            submit(root, student, PROBLEM, nb)
        elif student == "badjson":
            submit(root, student, PROBLEM, text='{"cells": [ this is not json')
        elif student == "missing":
            (grading / "submitted" / student / PROBLEM.assignment).mkdir(parents=True)
        elif student == "spy":  # the environment before the tests, the input history after them
            nb = solved_copy(PROBLEM)
            at = nb.cells.index(first_answer(nb)) + 1
            nb.cells.insert(at, nbformat.v4.new_code_cell("import os\nprint(dict(os.environ))"))
            nb.cells.append(nbformat.v4.new_code_cell("print(In)"))
            submit(root, student, PROBLEM, nb)
        elif student == "recorder":
            nb = solved_plus(RECORDER, last=True)
            nb.cells.append(nbformat.v4.new_code_cell("print('REC' + 'ORDED', _seen)"))  # the marker only in output
            submit(root, student, PROBLEM, nb)
        elif student == "manycells":
            nb = solved_copy(PROBLEM)
            nb.cells += [nbformat.v4.new_code_cell("import time\ntime.sleep(1)") for _ in range(400)]
            submit(root, student, PROBLEM, nb)
        elif student == "fifo":
            folder = grading / "submitted" / student / PROBLEM.assignment
            folder.mkdir(parents=True)
            os.mkfifo(folder / f"{PROBLEM.stem}.ipynb")
        elif student == "linkfile":  # the instructor's source, with every hidden test, as "my notebook"
            folder = grading / "submitted" / student / PROBLEM.assignment
            folder.mkdir(parents=True)
            (folder / f"{PROBLEM.stem}.ipynb").symlink_to(root / "solutions" / PROBLEM.notebook)
        elif student == "linkdir":  # another student's folder as mine
            (grading / "submitted" / student).symlink_to(grading / "submitted" / "correct")
        else:
            submit(root, student, PROBLEM, nb)
    return {s: tuple(v[1:]) for s, v in cases.items()}


def grade_batch(tmp: Path, db_url: str | None = None):
    root = make_course(tmp, [PROBLEM])
    expected = build_batch(root)
    victim = root / "grading" / "submitted" / "correct" / PROBLEM.assignment / f"{PROBLEM.stem}.ipynb"
    victim_hash = hashlib.sha256(victim.read_bytes()).hexdigest()
    env = {"COURSE_DB_URL": db_url} if db_url else {}
    env["MLPAPERS_TEST_SECRET"] = SECRET  # stands for a password in the grader's environment
    run_cli(root, "autograde", "--cell-timeout", CELL_TIMEOUT, "--memory-mib", MEMORY_MIB, env=env)
    with (root / "grading" / "grades.csv").open() as f:
        rows = {r["student"]: r for r in csv.DictReader(f)}
    assert hashlib.sha256(victim.read_bytes()).hexdigest() == victim_hash, "another student's file was changed"
    return root, expected, rows


def check_rows(expected, rows):
    assert sorted(rows) == sorted(expected), "one row per student"
    problems = []
    for student, (score, status, fragment) in expected.items():
        r = rows[student]
        got = float(r["score"])
        ok_score = (0 < got < FULL) if score == "partial" else True if score == "any" else got == score
        if not (ok_score and r["status"] == status and fragment in r["reason"]):
            problems.append(f"{student}: expected {score}/{status}/{fragment!r}, got {got}/{r['status']}/{r['reason']!r}")
        assert float(r["max_score"]) == FULL
    assert not problems, "\n".join(problems)


@pytest.fixture(scope="module")
def sqlite_batch(tmp_path_factory):
    return grade_batch(tmp_path_factory.mktemp("adversarial-sqlite"))


def test_every_row_has_the_expected_score_and_status(sqlite_batch):
    _, expected, rows = sqlite_batch
    check_rows(expected, rows)


def test_no_sandbox_process_outlives_the_batch(sqlite_batch):
    """The daemon double-forked into its own session and the child holding stdout open are gone,
    and every kernel of the batch ran under a uid of its own."""
    root, _, _ = sqlite_batch
    journal = journal_rows(root)
    uids = [o["uid"] for o in journal if o["status"] not in ("missing", "error") or o.get("uid")]
    assert uids and all(sandbox.UID_BASE <= u < sandbox.UID_BASE + sandbox.UID_SPAN for u in uids), uids
    assert len(set(uids)) == len(uids), "two kernels of the batch shared a uid"
    alive = {u: sandbox.processes_of(u) for u in uids}
    assert not any(alive.values()), f"processes of the batch's sandbox uids still alive: {alive}"


def test_feedback_holds_no_grader_secret_and_no_script(sqlite_batch):
    root, _, _ = sqlite_batch
    run_cli(root, "feedback")
    pages = {s: (root / "grading" / "feedback" / s / PROBLEM.assignment / f"{PROBLEM.stem}.html").read_text()
             for s in ("spy", "script", "recorder")}
    # Hidden tests' inputs reached the recorder's function; output after them never reaches feedback.
    assert "RECORDED" not in pages["recorder"] and "withheld from feedback" in pages["recorder"]
    assert SECRET not in pages["spy"] and "COURSE_DB_URL" not in pages["spy"]
    assert "HOME" in pages["spy"], "the spy's own output (its allow-listed environment) is still shown"
    # The cell's source is shown escaped; no live <script> or event-handler attribute may remain.
    assert not re.search(r"<script>alert|<img[^>]*onerror", pages["script"])
    assert not list(Path("/tmp").glob("mlpapers-tmpfill-*")), "a kernel's /tmp reached the machine's"


def test_gradebook_survives_and_agrees_with_the_csv(sqlite_batch):
    root, _, rows = sqlite_batch
    db = root / "grading" / "gradebook.db"
    assert db.exists() and db.read_bytes()[:15] == b"SQLite format 3"
    url = f"sqlite:///{db}"
    with GradebookWriter(url) as gb:
        scores = gb.scores()
    for student, r in rows.items():
        if r["status"] != "missing" or (student, PROBLEM.assignment, PROBLEM.stem) in scores:
            assert scores[(student, PROBLEM.assignment, PROBLEM.stem)] == float(r["score"]), student


def test_nbgrader_export_agrees_with_the_csv(sqlite_batch):
    """What nbgrader's own export reports is grades.csv, row for row, whatever the submission did."""
    root, _, rows = sqlite_batch
    exported = nbgrader_export(root)
    assert {s: exported.get((s, PROBLEM.assignment)) for s in rows} == {s: float(r["score"]) for s, r in rows.items()}


def test_feedback_shows_results_but_no_hidden_tests(sqlite_batch):
    root, _, rows = sqlite_batch
    run_cli(root, "feedback")
    source = json.loads((root / "solutions" / PROBLEM.notebook).read_text())
    hidden_lines = {line.strip() for c in source["cells"] if "BEGIN HIDDEN TESTS" in "".join(c["source"])
                    for line in "".join(c["source"]).split("### BEGIN HIDDEN TESTS")[1].splitlines()
                    if len(line.strip()) > 25 and "END HIDDEN TESTS" not in line}
    assert hidden_lines
    for student in ("correct", "stub", "mutant", "sly", "spy"):
        html = (root / "grading" / "feedback" / student / PROBLEM.assignment / f"{PROBLEM.stem}.html").read_text()
        assert f"Score:</strong> {float(rows[student]['score']):g} / {FULL:g}" in html
        assert "BEGIN HIDDEN TESTS" not in html
        leaked = [line for line in hidden_lines if line in html]
        assert not leaked, f"{student}: hidden test code in feedback: {leaked[:2]}"
    stub = (root / "grading" / "feedback" / "stub" / PROBLEM.assignment / f"{PROBLEM.stem}.html").read_text()
    assert "NotImplementedError" in stub


def test_postgresql_gradebook_gives_identical_grades(sqlite_batch, tmp_path_factory):
    _, expected, sqlite_rows = sqlite_batch
    with postgres_cluster() as url:
        _, _, pg_rows = grade_batch(tmp_path_factory.mktemp("adversarial-pg"), url)
        with GradebookWriter(url) as gb:
            pg_scores = gb.scores()
    check_rows(expected, pg_rows)
    strip = lambda rows: {s: (r["score"], r["max_score"], r["status"]) for s, r in rows.items()}  # noqa: E731
    assert strip(pg_rows) == strip(sqlite_rows)
    for student, r in pg_rows.items():
        key = (student, PROBLEM.assignment, PROBLEM.stem)
        if key in pg_scores:
            assert pg_scores[key] == float(r["score"]), student

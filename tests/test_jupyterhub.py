"""The course hub round trip, on a real JupyterHub: hand out one problem, fetch, submit, collect, grade.

JupyterHub starts on loopback from ``deploy/jupyterhub/jupyterhub_config.py`` in its one-machine
trial mode (a local process spawner, a password login), with configurable-http-proxy and free ports
chosen now. The instructor hands out one problem alone (``make hand-out P=<id>``: one nbgrader
assignment, its notebook and its cut given module); two students log in through the hub's login
form and fetch it from the Assignments API of their own JupyterLab servers; one saves answers
through the contents API (as JupyterLab does), the other hands in the notebook untouched; both
submit. The instructor collects (``make collect P=<id>``) and grades with the course's
``autograde`` into the shared PostgreSQL gradebook (``COURSE_DB_URL``, a throwaway cluster on
loopback) and ``grading/grades.csv``: full marks and zero. Then the instructor returns the feedback
(``make feedback``, ``make return-feedback P=<id>``: nbgrader's ``release_feedback``) and each student
fetches their own page through the Assignments API: their score and the visible tests' messages,
never a line of the hidden tests.
"""
from __future__ import annotations

import contextlib
import csv
import html
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from mlpapers import catalog, notebooks
from pgcluster import postgres_cluster
from mlpapers.paths import RELEASE, ROOT, SOLUTIONS
from mlpapers.submissions import solved_copy

pytestmark = pytest.mark.hub
DEPLOY = ROOT / "deploy" / "jupyterhub"
PROBLEM = catalog.problem(285)  # quick to grade, and it comes with a given module (284's answers)
SOLVER, IDLER = "alice", "bob"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _course(tmp: Path) -> Path:
    root = tmp / "course"
    root.mkdir()
    for name in ("grader_config.py", "nbgrader_config.py"):
        shutil.copy(ROOT / name, root / name)
    for folder in ("solutions", "release"):
        shutil.copytree(ROOT / folder, root / folder, ignore=shutil.ignore_patterns("__pycache__"))
    return root


def _instructor_env(tmp: Path, root: Path, exchange: Path, db_url: str) -> dict[str, str]:
    """The instructor's shell on the hub machine, as deploy/jupyterhub/README.md sets it up."""
    env = {k: v for k, v in os.environ.items() if k != "NBGRADER_EXECUTION"}
    env.update(MLPAPERS_ROOT=str(root), COURSE_EXCHANGE=str(exchange), COURSE_DB_URL=db_url,
               JUPYTER_CONFIG_PATH=str(ROOT / "deploy" / "jupyter" / "course"), JUPYTER_CONFIG_DIR=str(tmp / "instructor-jupyter"),
               PATH=str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", ""))
    return env


def _run(cmd: list[str], cwd: Path, env: dict[str, str], timeout: int = 300) -> str:
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, f"{' '.join(cmd)}:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc.stdout + proc.stderr


def _processes_under(folder: Path) -> list[int]:
    """Pids whose working directory is inside ``folder`` (the students' servers of this test)."""
    pids = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            with contextlib.suppress(OSError):
                if Path(os.readlink(proc / "cwd")).is_relative_to(folder):
                    pids.append(int(proc.name))
    return pids


@contextlib.contextmanager
def running_hub(tmp: Path, exchange: Path, password: str | None, group: str | None = None):
    """The hub in trial mode (``password``: anyone logs in with it) or, with ``group``, on real Unix accounts."""
    state = tmp / "hub"
    state.mkdir()
    url = f"http://127.0.0.1:{_free_port()}"
    env = {k: v for k, v in os.environ.items() if k not in ("NBGRADER_EXECUTION", "MPLBACKEND", "MLPAPERS_ROOT")}
    env.update(COURSE_ENV=sys.prefix, COURSE_EXCHANGE=str(exchange), COURSE_HUB_STATE=str(state),
               COURSE_HUB_URL=url, COURSE_HUB_API_URL=f"http://127.0.0.1:{_free_port()}",
               COURSE_PROXY_API_URL=f"http://127.0.0.1:{_free_port()}", COURSE_INSTRUCTORS="teacher",
               PATH=str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", ""))
    if group is None:
        env.update(COURSE_HUB_TRIAL="1", COURSE_HUB_TRIAL_PASSWORD=password)
    else:  # PAM: only real accounts log in (the instructor works in a shell, not on the hub)
        env.update(COURSE_STUDENT_GROUP=group, COURSE_INSTRUCTORS="")
    log = tmp / "hub.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([str(Path(sys.executable).with_name("jupyterhub")), "-f",
                                 str(DEPLOY / "jupyterhub_config.py")], cwd=state, env=env, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)
    try:
        import requests
        deadline = time.monotonic() + 90
        while True:
            assert proc.poll() is None, f"jupyterhub exited:\n{log.read_text()[-4000:]}"
            with contextlib.suppress(requests.RequestException):
                if requests.get(f"{url}/hub/api", timeout=5).status_code == 200:
                    break
            assert time.monotonic() < deadline, f"jupyterhub did not answer:\n{log.read_text()[-4000:]}"
            time.sleep(0.5)
        yield url, log
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)  # the hub stops the proxy and the students' servers
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(10)
        for pid in _processes_under(state):  # a server the hub failed to stop
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


class Student:
    """A person in a browser session: hub login form, then their own server's REST API."""

    def __init__(self, hub: str, name: str, password: str, log: Path):
        import requests
        self.hub, self.name, self.s = hub, name, requests.Session()
        self.base = f"{hub}/user/{name}"
        page = self.s.get(f"{hub}/hub/login", timeout=30)
        xsrf = self.s.cookies.get("_xsrf", path="/hub/") or re.search(r'name="_xsrf" value="([^"]+)"', page.text)[1]
        r = self.s.post(f"{hub}/hub/login", data={"username": name, "password": password, "_xsrf": xsrf},
                        timeout=120)
        assert r.status_code == 200, (r.status_code, r.url)
        deadline = time.monotonic() + 120
        while True:  # the hub spawns the server; opening JupyterLab runs the OAuth hand-off
            r = self.s.get(f"{self.base}/lab", timeout=60)
            if r.status_code == 200 and "/user/" in r.url and "jupyterlab" in r.text.lower():
                self.lab_page = r.text
                break
            failed = "spawn" in r.url and r.status_code >= 500
            assert time.monotonic() < deadline and not failed, \
                f"{name}'s server did not start ({r.status_code} {r.url}):\n{log.read_text()[-3000:]}"
            time.sleep(1)
        self.xsrf = self.s.cookies.get("_xsrf", path=f"/user/{name}/")
        assert self.xsrf, self.s.cookies

    def get(self, path: str):
        r = self.s.get(f"{self.base}{path}", timeout=120)
        assert r.status_code == 200, (path, r.status_code, r.text[:500])
        return r.json()

    def send(self, method: str, path: str, **kwargs):
        r = self.s.request(method, f"{self.base}{path}", headers={"X-XSRFToken": self.xsrf}, timeout=180, **kwargs)
        assert r.status_code in (200, 201), (path, r.status_code, r.text[:1000])
        return r.json()


@pytest.fixture(scope="module")
def gradebook_url():
    with postgres_cluster() as url:
        yield url


def test_one_problem_handed_out_fetched_submitted_collected_and_graded_on_jupyterhub(tmp_path, gradebook_url):
    exchange = tmp_path / "exchange"
    exchange.mkdir()
    exchange.chmod(0o777)
    password = secrets.token_hex(8)
    _round_trip(tmp_path, exchange, gradebook_url, {SOLVER: password, IDLER: password}, running_hub(
        tmp_path, exchange, password))


def test_the_round_trip_with_real_unix_accounts(tmp_path, gradebook_url):
    """PAM logins, one server per Unix user running as that user, homes and submissions private."""
    if os.geteuid() != 0 or not shutil.which("useradd"):
        pytest.fail("creating Unix accounts needs root and useradd (CI runs as root)")
    with unix_accounts() as (group, users), reachable_by_all(Path(sys.base_prefix), Path(sys.prefix), ROOT):
        # The exchange must be reachable by every account: not below pytest's private tmp folder.
        with tempfile.TemporaryDirectory(prefix="mlpapers-exchange-", dir="/tmp") as shared:
            exchange = Path(shared)
            exchange.chmod(0o777)
            _round_trip(tmp_path, exchange, gradebook_url, users, running_hub(tmp_path, exchange, None, group),
                        accounts=True)


@contextlib.contextmanager
def unix_accounts():
    """A Unix group and two student accounts in it (homes 0700, as the hub recipe says), removed afterwards."""
    group, names = "mlpgrp" + secrets.token_hex(3), ("mlpa" + secrets.token_hex(3), "mlpb" + secrets.token_hex(3))
    users = {name: secrets.token_hex(12) for name in names}
    subprocess.run(["groupadd", group], check=True)
    try:
        for name, password in users.items():
            subprocess.run(["useradd", "-m", "-K", "HOME_MODE=0700", "-s", "/bin/bash", "-G", group, name], check=True)
            subprocess.run(["chpasswd"], input=f"{name}:{password}\n", text=True, check=True)
        yield group, users
    finally:
        for name in users:
            subprocess.run(["pkill", "-KILL", "-u", name], check=False)
            subprocess.run(["userdel", "-r", "-f", name], check=False, capture_output=True)
        subprocess.run(["groupdel", group], check=False)


@contextlib.contextmanager
def reachable_by_all(*paths: Path):
    """Let every user pass through the folders above ``paths`` while the test runs (o+x, never o+r).

    The students' servers run as their own accounts from this session's Python and course clone.
    A hub installs those where every user reaches them (/opt, /usr: the recipe); a CI machine may keep
    its interpreter below a private home (/root/.pyenv). Modes are put back afterwards."""
    changed: dict[Path, int] = {}
    for path in paths:
        for folder in [path.resolve(), *path.resolve().parents]:
            mode = folder.stat().st_mode
            if folder not in changed and not mode & 0o001:
                changed[folder] = mode & 0o7777
                folder.chmod((mode & 0o7777) | 0o001)
    try:
        yield
    finally:
        for folder, mode in changed.items():
            folder.chmod(mode)


def _as(user: str, *cmd: str) -> subprocess.CompletedProcess:
    return subprocess.run(["runuser", "-u", user, "--", *cmd], capture_output=True, text=True, timeout=60)


def _round_trip(tmp_path: Path, exchange: Path, gradebook_url: str, users: dict[str, str], hub_cm,
                accounts: bool = False) -> None:
    solver, idler = list(users)
    root = _course(tmp_path)
    instructor = _instructor_env(tmp_path, root, exchange, gradebook_url)
    course = [sys.executable, "-m", "mlpapers"]
    assignment = PROBLEM.assignment
    released = sorted(p.name for p in (RELEASE / PROBLEM.folder).iterdir())

    # The instructor hands out this one problem (the course CLI over nbgrader's release_assignment).
    (root / "grading").mkdir()  # the recipe's first-time step (the SQLite gradebook's folder)
    _run([*course, "hand-out", str(PROBLEM.id)], root, instructor)
    outbound = exchange / "mlpapers" / "outbound"
    assert [p.name for p in outbound.iterdir()] == [assignment]
    assert sorted(p.name for p in (outbound / assignment).iterdir()) == released

    with hub_cm as (hub, log):
        students = {name: Student(hub, name, password, log) for name, password in users.items()}
        alice = students[solver]
        # A student's server is the student view of nbgrader: no formgrader, no course list.
        assert alice.s.get(f"{alice.base}/formgrader", timeout=60).status_code == 404
        page_config = json.loads(re.search(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>',
                                           alice.lab_page, re.S)[1])
        assert "@jupyter/nbgrader:formgrader" in page_config["disabledExtensions"], page_config["disabledExtensions"]

        for name, student in students.items():
            listed = student.get("/assignments?course_id=mlpapers")
            assert listed["success"], listed
            assert [(a["assignment_id"], a["status"]) for a in listed["value"]] == [(assignment, "released")], listed
            fetched = student.send("POST", "/assignments/fetch", data={"course_id": "mlpapers", "assignment_id": assignment})
            assert any(a["assignment_id"] == assignment and a["status"] == "fetched" for a in fetched["value"]), fetched
            # What a student receives is the problem's release folder: no other problem, no solution.
            assert sorted(c["name"] for c in student.get(f"/api/contents/{assignment}")["content"]) == released

        # Alice answers the problem; JupyterLab saves notebooks through the contents API. Bob hands it in untouched.
        alice.send("PUT", f"/api/contents/{assignment}/{PROBLEM.stem}.ipynb",
                   json={"type": "notebook", "format": "json", "content": json.loads(json.dumps(solved_copy(PROBLEM)))})
        for name, student in students.items():
            submitted = student.send("POST", "/assignments/submit", data={"course_id": "mlpapers", "assignment_id": assignment})
            assert any(a["assignment_id"] == assignment and a["status"] == "submitted" for a in submitted["value"]), submitted

        if accounts:
            _assert_private(solver, idler, assignment, exchange)

        # The instructor collects and grades, with the course's own commands.
        _run([*course, "collect", str(PROBLEM.id)], root, instructor)
        for name in students:
            got = sorted(p.name for p in (root / "grading" / "submitted" / name / assignment).glob("*.ipynb"))
            assert got == [f"{PROBLEM.stem}.ipynb"], (name, got)
        _run([*course, "autograde"], root, instructor, timeout=600)
        with (root / "grading" / "grades.csv").open() as f:
            rows = {r["student"]: r for r in csv.DictReader(f)}
        assert sorted(rows) == sorted(users), rows
        for name, expected in ((solver, PROBLEM.points), (idler, 0)):
            row = rows[name]
            assert (row["assignment"], row["notebook"], row["status"]) == (assignment, PROBLEM.stem, "graded"), row
            assert float(row["score"]) == expected and float(row["max_score"]) == PROBLEM.points, row
        assert not (root / "grading" / "gradebook.db").exists(), "graded into SQLite, not PostgreSQL"
        scores = _postgres_scores(gradebook_url, assignment)  # the gradebook is shared with the module's other round trip
        assert {name: scores.get(name) for name in users} == {solver: PROBLEM.points, idler: 0.0}, scores

        # Feedback goes back through the exchange; each student fetches their own page from the Assignments tab.
        _run([*course, "feedback"], root, instructor)
        _run([*course, "return-feedback", str(PROBLEM.id)], root, instructor)
        secret = _hidden_test_lines(PROBLEM)
        for name, expected in ((solver, PROBLEM.points), (idler, 0)):
            student = students[name]
            fetched = student.send("POST", "/assignments/fetch_feedback",
                                   data={"course_id": "mlpapers", "assignment_id": assignment})
            assert fetched["success"], fetched
            stamps = [c["name"] for c in student.get(f"/api/contents/{assignment}/feedback")["content"]]
            assert len(stamps) == 1, stamps
            page = html.unescape(student.get(f"/api/contents/{assignment}/feedback/{stamps[0]}/{PROBLEM.stem}.html")["content"])
            assert f"{name}" in page and f"{expected:g} / {PROBLEM.points:g}" in page, (name, page[:2000])
            assert ("✗" in page) == (expected == 0), name  # a failed test shows its message, a passed one a tick
            leaked = [line for line in secret if line in page]
            assert not leaked, f"{name}'s feedback shows hidden test code: {leaked[:3]}"


def _assert_private(solver: str, idler: str, assignment: str, exchange: Path) -> None:
    """Each server ran as its student's own Unix user, and no student reads another's home or hand-in."""
    import pwd
    mine = Path(pwd.getpwnam(solver).pw_dir) / assignment / f"{PROBLEM.stem}.ipynb"
    assert mine.stat().st_uid == pwd.getpwnam(solver).pw_uid, "the student's server did not run as the student"
    theirs = Path(pwd.getpwnam(idler).pw_dir)
    assert theirs.stat().st_mode & 0o077 == 0, oct(theirs.stat().st_mode)
    for cmd in (["ls", str(theirs)], ["cat", str(theirs / assignment / f"{PROBLEM.stem}.ipynb")]):
        assert _as(solver, *cmd).returncode != 0, f"{solver} could run {cmd}"
    inbound = exchange / "mlpapers" / "inbound"
    handed_in = [p for p in inbound.iterdir() if p.name.startswith(f"{idler}+{assignment}+")]
    assert handed_in, sorted(p.name for p in inbound.iterdir())
    # nbgrader's exchange keeps hand-ins private by name alone: students cannot list the inbound folder
    # (0733), and each hand-in's folder ends in a random string (nbgrader leaves the folder itself 0777
    # so that the instructor can delete it; see deploy/jupyterhub/README.md).
    assert _as(solver, "ls", str(inbound)).returncode != 0, f"{solver} can list every hand-in"
    assert len(handed_in[0].name.rsplit("+", 1)[1]) >= 12, handed_in[0].name
    assert _as(solver, "ls", str(handed_in[0].parent / handed_in[0].name.rsplit("+", 1)[0])).returncode != 0


def _hidden_test_lines(problem: catalog.Problem) -> list[str]:
    """The substantial lines of the problem's hidden tests, which no feedback page may show."""
    released = {line.strip() for c in notebooks.read(RELEASE / problem.released).cells for line in c.source.splitlines()}
    lines, hidden = [], False
    for cell in notebooks.read(SOLUTIONS / problem.notebook).cells:
        for line in cell.source.splitlines():
            hidden = (hidden or "### BEGIN HIDDEN TESTS" in line) and "### END HIDDEN TESTS" not in line
            if hidden and len(line.strip()) >= 24 and "HIDDEN TESTS" not in line and line.strip() not in released:
                lines.append(line.strip())
    assert lines, f"{problem.notebook} has no hidden tests to look for"
    return lines


def _postgres_scores(url: str, assignment: str) -> dict[str, float]:
    """Each student's score for the assignment, as the shared PostgreSQL gradebook holds it."""
    from nbgrader.api import Gradebook

    with Gradebook(url, "mlpapers") as gb:
        return {s.student_id: float(s.score) for s in gb.assignment_submissions(assignment)}

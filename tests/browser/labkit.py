"""Helpers for the browser tests: a throwaway course, JupyterLab on loopback, headless Chromium.

Every server started here listens on 127.0.0.1 on a port chosen free at run time, runs in its own
process group, and is stopped (group SIGTERM, then SIGKILL) by the context manager that started it.
The browser is Debian's Chromium (``$CHROMIUM``, default ``/usr/bin/chromium``) driven by the Python
``playwright`` package; no browser is ever downloaded.
"""
from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from mlpapers import catalog, notebooks
from mlpapers.paths import BUILD, RELEASE, ROOT

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-dev-shm-usage"]
SCREENSHOTS = BUILD / "screenshots"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def widget_problems() -> list[catalog.Problem]:
    """Problems whose student notebook (release/) shows a widget: its Explore cell calls ``.show(``."""
    found = []
    for p in catalog.problems():
        path = RELEASE / p.released
        if path.exists() and any(c.cell_type == "code" and ".show(" in c.source
                                 for c in notebooks.read(path).cells):
            found.append(p)
    return found


def make_course(tmp: Path) -> Path:
    """A throwaway course root: configuration and release/ (what a student's clone holds for lab)."""
    root = tmp / "course"
    root.mkdir(parents=True)
    for name in ("grader_config.py", "nbgrader_config.py"):
        shutil.copy(ROOT / name, root / name)
    shutil.copytree(ROOT / "release", root / "release",
                    ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints"))
    (root / "solutions").mkdir()  # paths.repo_root() recognises a course root by it
    return root


def jupyter_env(home: Path, port: int, token: str) -> dict[str, str]:
    """Environment for a JupyterLab that reads nothing from the real user's settings.

    Port and token go through ``JUPYTER_PORT`` / ``JUPYTER_TOKEN`` (jupyter_server reads both), so
    the student's own command (``make lab``) runs unchanged. The config dir holds loopback-only,
    no-browser settings and a fresh workspaces folder; a person present means no
    ``NBGRADER_EXECUTION``.
    """
    cfg = home / "jupyter-config"
    cfg.mkdir(parents=True, exist_ok=True)
    (cfg / "jupyter_server_config.json").write_text(json.dumps({
        "ServerApp": {"ip": "127.0.0.1", "open_browser": False, "port_retries": 0},
        "LabApp": {"expose_app_in_browser": True, "workspaces_dir": str(home / "workspaces")},
    }))
    settings = home / "lab-settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True, exist_ok=True)
    # No "would you like news?" toast over the notebook in screenshots.
    (settings / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    # The test session sets MPLBACKEND=Agg; a kernel must pick matplotlib's inline backend itself.
    drop = ("NBGRADER_EXECUTION", "MLPAPERS_ROOT", "MPLBACKEND")
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update(JUPYTER_CONFIG_DIR=str(cfg), JUPYTER_RUNTIME_DIR=str(home / "runtime"),
               JUPYTERLAB_SETTINGS_DIR=str(home / "lab-settings"),
               JUPYTERLAB_WORKSPACES_DIR=str(home / "workspaces"),
               JUPYTER_PORT=str(port), JUPYTER_TOKEN=token,
               PATH=str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", ""))
    return env


@dataclass
class Lab:
    """A running JupyterLab."""
    url: str
    token: str
    proc: subprocess.Popen
    log: Path

    def api(self, path: str, method: str = "GET", body: dict | None = None):
        """Call the server's REST API with the token; return the decoded JSON (or None)."""
        req = urllib.request.Request(f"{self.url}{path}", method=method,
                                     data=None if body is None else json.dumps(body).encode(),
                                     headers={"Authorization": f"token {self.token}",
                                              "Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=60) as resp:
            data = resp.read()
        return json.loads(data) if data else None

    def log_tail(self, n: int = 4000) -> str:
        return self.log.read_text(errors="replace")[-n:] if self.log.exists() else ""


def wait_http(url: str, proc: subprocess.Popen, log: Path, timeout: float = 90) -> None:
    """Wait until ``url`` answers 200, failing early (with the log) if the process died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}:\n{log.read_text(errors='replace')[-4000:]}")
        try:
            with urllib.request.urlopen(url, timeout=5) as resp:
                if resp.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"no answer from {url} within {timeout}s:\n{log.read_text(errors='replace')[-4000:]}")


def stop(proc: subprocess.Popen, grace: float = 15) -> None:
    """Stop a process group started with ``start_new_session=True``: SIGTERM, then SIGKILL."""
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)


@contextlib.contextmanager
def running_lab(cmd: list[str], cwd: Path, home: Path, env_extra: dict[str, str] | None = None):
    """Start JupyterLab with ``cmd`` (e.g. ``make lab``) and yield a :class:`Lab`; always stop it."""
    port, token = free_port(), secrets.token_hex(16)
    env = jupyter_env(home, port, token)
    env.update(env_extra or {})
    log = home / "lab.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_http(f"{url}/api/status?token={token}", proc, log)
        yield Lab(url, token, proc, log)
    finally:
        stop(proc)


@contextlib.contextmanager
def chromium():
    """A headless Debian Chromium driven by Playwright; closed on exit."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"no Chromium at {CHROMIUM}: run .ci/run (apt-get install chromium) or set CHROMIUM")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


class ConsoleLog:
    """Collects a page's console errors and uncaught exceptions."""

    def __init__(self, page):
        self.errors: list[str] = []
        page.on("console", lambda msg: self.errors.append(f"console.{msg.type}: {msg.text}")
                if msg.type == "error" else None)
        page.on("pageerror", lambda exc: self.errors.append(f"pageerror: {exc}"))


OPEN_NOTEBOOK_JS = """
async (path) => {
  const app = window.jupyterapp;
  await app.started; await app.restored;
  const panel = await app.commands.execute('docmanager:open', {path, factory: 'Notebook'});
  await panel.context.ready;
  await panel.sessionContext.ready;
  app.shell.activateById(panel.id);
  return panel.id;
}
"""

RUN_ALL_JS = """
async (panelId) => {
  const app = window.jupyterapp;
  const panel = Array.from(app.shell.widgets('main')).find(w => w.id === panelId);
  app.shell.activateById(panelId);
  await app.commands.execute('notebook:run-all-cells');
  const errors = [];
  const counts = [];
  for (const cell of panel.content.model.cells) {
    if (cell.type !== 'code') continue;
    counts.push(cell.executionCount);
    for (let i = 0; i < cell.outputs.length; i++) {
      const out = cell.outputs.get(i).toJSON();
      if (out.output_type === 'error') errors.push(out.ename + ': ' + out.evalue);
    }
  }
  return {errors, counts, status: panel.sessionContext.session?.kernel?.status};
}
"""

KERNEL_STATUS_JS = """
(panelId) => {
  const panel = Array.from(window.jupyterapp.shell.widgets('main')).find(w => w.id === panelId);
  return panel?.sessionContext.session?.kernel?.status ?? 'unknown';
}
"""

SHUTDOWN_JS = """
async (panelId) => {
  const app = window.jupyterapp;
  const panel = Array.from(app.shell.widgets('main')).find(w => w.id === panelId);
  if (panel) { await panel.sessionContext.shutdown(); }
}
"""


def wait_for_app(page, timeout_ms: int = 60_000) -> None:
    """Wait until JupyterLab has started and exposed itself as ``window.jupyterapp``."""
    page.wait_for_function("() => window.jupyterapp !== undefined", timeout=timeout_ms)
    page.evaluate("async () => { await window.jupyterapp.started; await window.jupyterapp.restored; }")

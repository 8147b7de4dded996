"""Running ``nbgrader`` commands under the course configuration."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from mlpapers.paths import GRADER_CONFIG, ROOT


def nbgrader_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment nbgrader needs: this venv's ``bin`` first on PATH (nbgrader runs ``alembic``)."""
    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    env.update(extra or {})
    return env


def run_nbgrader(*args: str, check: bool = True, extra_env: dict[str, str] | None = None,
                 timeout: float | None = None, plain: bool = False) -> subprocess.CompletedProcess:
    """``nbgrader <args>`` with ``grader_config.py``, run from the repository root.

    ``plain=True`` runs it as an instructor types it: nbgrader then also reads the
    ``nbgrader_config.py`` files on ``JUPYTER_CONFIG_PATH`` (a hub's exchange settings) before the
    repository's own, which loads ``grader_config.py``.
    """
    config = [] if plain else [f"--NbGrader.config_file={GRADER_CONFIG}"]
    cmd = [sys.executable, "-m", "nbgrader", *args, *config]
    proc = subprocess.run(cmd, cwd=ROOT, env=nbgrader_env(extra_env), capture_output=True, text=True,
                          timeout=timeout)
    if check and proc.returncode != 0:
        raise RuntimeError(f"nbgrader {' '.join(args)} failed (exit {proc.returncode}):\n{proc.stderr[-4000:]}")
    return proc

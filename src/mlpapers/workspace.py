"""The student's workspace ``notebooks/``: filled from ``release/``, never overwritten.

A notebook the student has (edited or not) is left alone; a notebook or file that is new in the
release is copied in. So ``git pull`` of a new release followed by ``make lab`` (or
``make update``) brings new problems without touching anybody's work.
"""
from __future__ import annotations

import shutil
from pathlib import Path

from mlpapers.paths import NOTEBOOKS, RELEASE


def fill_workspace(release: Path = RELEASE, workspace: Path = NOTEBOOKS) -> list[Path]:
    """Copy every release file missing from the workspace; return the files copied."""
    copied = []
    for src in sorted(release.rglob("*")):
        if src.is_dir() or "__pycache__" in src.parts:
            continue
        dest = workspace / src.relative_to(release)
        if dest.exists():
            continue
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dest)
        copied.append(dest)
    return copied

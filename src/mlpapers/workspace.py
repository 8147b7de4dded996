"""The student's workspace ``notebooks/``: filled from ``release/``, never overwriting their work.

A file new in the release is copied in. A file the student has not touched since it was copied
(its bytes still match the hash recorded in ``notebooks/.mlpapers-release.json``) is replaced by
a newer release of it, so fixes and updated given modules reach everybody. A file the student
edited is never touched. So ``git pull`` followed by ``make update`` (or ``make lab``) brings new
and updated problems without losing anybody's work.
"""
from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

from mlpapers.paths import NOTEBOOKS, RELEASE

MANIFEST = ".mlpapers-release.json"


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def fill_workspace(release: Path = RELEASE, workspace: Path = NOTEBOOKS) -> list[Path]:
    """Copy new release files and refresh untouched ones; return the files written."""
    manifest_path = workspace / MANIFEST
    try:
        manifest = json.loads(manifest_path.read_text())
    except (OSError, ValueError):
        manifest = {}
    written = []
    for src in sorted(release.rglob("*")):
        if src.is_dir() or "__pycache__" in src.parts:
            continue
        rel = str(src.relative_to(release))
        dest = workspace / rel
        fresh = _sha(src)
        if dest.exists():
            untouched = manifest.get(rel) == _sha(dest)
            if not untouched or manifest.get(rel) == fresh:
                continue  # edited by the student, or already this release
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dest)
        manifest[rel] = fresh
        written.append(dest)
    if written:
        manifest_path.parent.mkdir(parents=True, exist_ok=True)
        manifest_path.write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    return written

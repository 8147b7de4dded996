"""The student's workspace ``notebooks/``: filled from ``release/``, never overwriting their work.

It mirrors ``release/``: one folder per problem, ``notebooks/<chapter>/<id>_<slug>/``, holding
the notebook, the given module cut for that problem and its images. A file new in the release is
copied in. A file the student has not touched since it was copied (its bytes still match the hash
recorded in ``notebooks/.mlpapers-release.json``) is replaced by a newer release of it, so fixes
reach everybody. A file the student edited is never touched. So ``git pull`` followed by
``make update`` (or ``make lab``) brings new and updated problems without losing anybody's work.

Workspaces filled before problems were released one at a time held ``<chapter>/<id>_<slug>.ipynb``
and a whole-chapter given module; :func:`migrate` moves an edited notebook of that layout into its
problem's folder and removes the untouched files it replaces.
"""
from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

from mlpapers import catalog
from mlpapers.given import module_name
from mlpapers.paths import NOTEBOOKS, RELEASE

MANIFEST = ".mlpapers-release.json"


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _load(workspace: Path) -> dict[str, str]:
    try:
        return json.loads((workspace / MANIFEST).read_text())
    except (OSError, ValueError):
        return {}


def _save(workspace: Path, manifest: dict[str, str]) -> None:
    workspace.mkdir(parents=True, exist_ok=True)
    (workspace / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")


def migrate(workspace: Path = NOTEBOOKS) -> list[str]:
    """Bring a workspace of the chapter-at-once layout to the one-folder-per-problem layout.

    Returns one line per file moved or removed. An edited notebook moves to its problem's folder
    (unless a notebook is already there, then it stays where it is); an untouched notebook or
    given module is removed (the release copies its successor in); an edited given module stays.
    """
    manifest = _load(workspace)
    said = []
    for problem in catalog.problems():
        old = workspace / problem.chapter / f"{problem.stem}.ipynb"
        rel = f"{problem.chapter}/{problem.stem}.ipynb"
        if not old.is_file():
            continue
        if manifest.get(rel) == _sha(old):
            old.unlink()
            said.append(f"removed untouched {rel} (now {problem.released})")
        elif not (workspace / problem.released).exists():
            (workspace / problem.folder).mkdir(parents=True, exist_ok=True)
            old.rename(workspace / problem.released)
            said.append(f"moved your {rel} to {problem.released}")
        manifest.pop(rel, None)
    for chapter in catalog.chapters():
        rel = f"{chapter.slug}/{module_name(chapter.slug)}.py"
        old = workspace / rel
        if old.is_file() and manifest.get(rel) == _sha(old):
            old.unlink()
            said.append(f"removed untouched {rel} (each problem folder has its own now)")
        manifest.pop(rel, None)
    if said:
        _save(workspace, manifest)
    return said


def fill_workspace(release: Path = RELEASE, workspace: Path = NOTEBOOKS) -> list[Path]:
    """Copy new release files and refresh untouched ones; return the files written."""
    manifest = _load(workspace)
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
        _save(workspace, manifest)
    return written

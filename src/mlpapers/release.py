"""Generating the student release (``release/``) from the instructor source (``solutions/``).

nbgrader's ``generate_assignment`` strips solutions and hidden tests and locks the test cells; the
result is then written in canonical form, so regenerating an unchanged source changes no byte.
"""
from __future__ import annotations

import filecmp
import shutil
import tempfile
from pathlib import Path

from mlpapers import notebooks
from mlpapers.nbgrader_cli import run_nbgrader
from mlpapers.paths import RELEASE, SOLUTIONS


def ready_chapters() -> list[str]:
    """Chapters that have a source folder with at least one notebook, in course order."""
    from mlpapers.catalog import chapters
    return [c.slug for c in chapters() if any((SOLUTIONS / c.slug).glob("*.ipynb"))]


def build_release(chapter: str, out: Path) -> Path:
    """Generate ``chapter``'s release into ``out/<chapter>`` (canonical form) and return that folder."""
    with tempfile.TemporaryDirectory(prefix="mlpapers-release-") as tmp:
        raw = Path(tmp) / "release"
        run_nbgrader("generate_assignment", chapter, "--force", "--no-db",
                     f"--CourseDirectory.release_directory={raw}",
                     f"--CourseDirectory.db_url=sqlite:///{Path(tmp) / 'unused.db'}")
        target = out / chapter
        if target.exists():
            shutil.rmtree(target)
        for src in sorted((raw / chapter).rglob("*")):
            if src.is_dir():
                continue
            dest = target / src.relative_to(raw / chapter)
            dest.parent.mkdir(parents=True, exist_ok=True)
            if src.suffix == ".ipynb":
                notebooks.write(notebooks.read(src), dest)
            else:
                shutil.copyfile(src, dest)
    return target


def release(chapters: list[str] | None = None) -> list[str]:
    """Regenerate ``release/<chapter>`` for each chapter; return the chapters whose files changed."""
    changed = []
    for chapter in chapters or ready_chapters():
        with tempfile.TemporaryDirectory(prefix="mlpapers-new-") as tmp:
            fresh = build_release(chapter, Path(tmp))
            if not same_tree(fresh, RELEASE / chapter):
                if (RELEASE / chapter).exists():
                    shutil.rmtree(RELEASE / chapter)
                shutil.copytree(fresh, RELEASE / chapter)
                changed.append(chapter)
    return changed


def same_tree(a: Path, b: Path) -> bool:
    """True if the two folders hold the same files with the same bytes."""
    if not a.is_dir() or not b.is_dir():
        return False
    files_a = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    files_b = sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    if files_a != files_b:
        return False
    return all(filecmp.cmp(a / f, b / f, shallow=False) for f in files_a)


def out_of_sync(chapters: list[str] | None = None) -> list[str]:
    """Chapters whose committed ``release/`` differs from a fresh generation."""
    stale = []
    for chapter in chapters or ready_chapters():
        with tempfile.TemporaryDirectory(prefix="mlpapers-sync-") as tmp:
            if not same_tree(build_release(chapter, Path(tmp)), RELEASE / chapter):
                stale.append(chapter)
    return stale

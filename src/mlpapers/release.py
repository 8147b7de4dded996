"""Generating the student release (``release/``) from the instructor source (``solutions/``).

One problem is one nbgrader assignment (COURSE_DESIGN 2a), released into its own folder
``release/<chapter>/<id>_<slug>/``: the student notebook, the given module cut to what the problem
needs (``given.py``) and the images its markdown shows. Each problem is staged as an nbgrader
source folder holding exactly those files, nbgrader's ``generate_assignment`` strips solutions and
hidden tests and locks the test cells, and the result is written in canonical form, so
regenerating an unchanged source changes no byte.
"""
from __future__ import annotations

import contextlib
import filecmp
import re
import shutil
import tempfile
from pathlib import Path

from mlpapers import catalog, notebooks
from mlpapers.given import given_for, module_name
from mlpapers.nbgrader_cli import run_nbgrader
from mlpapers.paths import RELEASE, SOLUTIONS

# Markdown images: ![alt](path) and <img src="path">; only relative paths are course files.
IMAGE = re.compile(r"!\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)|<img[^>]*\bsrc=[\"']([^\"']+)[\"']")


def ready_problems(chapter: str | None = None) -> list[catalog.Problem]:
    """Problems that have an instructor source notebook, in course order."""
    return [p for p in catalog.problems(chapter) if (SOLUTIONS / p.notebook).exists()]


def ready_chapters() -> list[str]:
    """Chapters that have at least one source notebook, in course order."""
    return list(dict.fromkeys(p.chapter for p in ready_problems()))


def images(problem: catalog.Problem) -> list[str]:
    """Relative paths (from the chapter's source folder) of the images the notebook's markdown shows."""
    found = []
    for cell in notebooks.read(SOLUTIONS / problem.notebook).cells:
        if cell.cell_type == "markdown":
            for m in IMAGE.finditer(cell.source):
                ref = m.group(1) or m.group(2)
                if "://" not in ref and not ref.startswith(("/", "data:")):
                    found.append(ref)
    return list(dict.fromkeys(found))


def stage(problem: catalog.Problem, source_root: Path) -> Path:
    """Write the nbgrader source folder of ``problem`` into ``source_root/<assignment>/``."""
    folder = source_root / problem.assignment
    folder.mkdir(parents=True)
    shutil.copyfile(SOLUTIONS / problem.notebook, folder / f"{problem.stem}.ipynb")
    given = given_for(problem)
    if given is not None:
        (folder / f"{module_name(problem.chapter)}.py").write_text(given, encoding="utf-8")
    for ref in images(problem):
        src = (SOLUTIONS / problem.chapter / ref).resolve()
        if not src.is_relative_to((SOLUTIONS / problem.chapter).resolve()) or not src.is_file():
            raise FileNotFoundError(f"{problem.notebook} shows {ref}, which is not a file below "
                                    f"solutions/{problem.chapter}/ (run `make figures`?)")
        dest = folder / ref
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dest)
    return folder


@contextlib.contextmanager
def staged_sources(problems: list[catalog.Problem]):
    """A temporary nbgrader source folder holding one assignment folder per problem.

    Pass it as ``--CourseDirectory.source_directory`` to any nbgrader command that reads sources
    (``generate_assignment``, ``autograde``); ``solutions/`` itself keeps one flat folder per chapter.
    """
    with tempfile.TemporaryDirectory(prefix="mlpapers-source-") as tmp:
        for problem in problems:
            stage(problem, Path(tmp))
        yield Path(tmp)


def build(problems: list[catalog.Problem], out: Path) -> None:
    """Generate the release folders of ``problems`` below ``out/<chapter>/<assignment>/``."""
    if not problems:
        return
    with staged_sources(problems) as source, tempfile.TemporaryDirectory(prefix="mlpapers-release-") as tmp:
        raw = Path(tmp) / "release"
        # One nbgrader run for all of them: the assignment id is a glob.
        pattern = problems[0].assignment if len(problems) == 1 else "*"
        run_nbgrader("generate_assignment", pattern, "--force", "--no-db",
                     f"--CourseDirectory.source_directory={source}",
                     f"--CourseDirectory.release_directory={raw}",
                     f"--CourseDirectory.db_url=sqlite:///{Path(tmp) / 'unused.db'}")
        for problem in problems:
            generated, target = raw / problem.assignment, out / problem.folder
            if not (generated / f"{problem.stem}.ipynb").exists():
                raise RuntimeError(f"nbgrader generated no release for {problem.assignment}")
            for src in sorted(generated.rglob("*")):
                if src.is_dir():
                    continue
                dest = target / src.relative_to(generated)
                dest.parent.mkdir(parents=True, exist_ok=True)
                if src.suffix == ".ipynb":
                    notebooks.write(notebooks.read(src), dest)
                else:
                    shutil.copyfile(src, dest)


def same_tree(a: Path, b: Path) -> bool:
    """True if the two folders hold the same files with the same bytes."""
    if not a.is_dir() or not b.is_dir():
        return False
    files_a = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    files_b = sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    if files_a != files_b:
        return False
    return all(filecmp.cmp(a / f, b / f, shallow=False) for f in files_a)


def _stray(chapters: list[str]) -> list[Path]:
    """Anything in ``release/<chapter>/`` that is not a ready problem's folder (e.g. the old layout)."""
    wanted = {p.folder for p in ready_problems()}
    found = []
    for chapter in chapters:
        for path in sorted((RELEASE / chapter).iterdir()) if (RELEASE / chapter).is_dir() else []:
            if f"{chapter}/{path.name}" not in wanted:
                found.append(path)
    return found


def release(chapters: list[str] | None = None, only: list[int] | None = None) -> list[str]:
    """Regenerate the release of every ready problem of ``chapters`` (or only the problems ``only``,
    leaving the rest of the folder alone); return the folders that changed."""
    chapters = chapters or ready_chapters()
    problems = [p for c in chapters for p in ready_problems(c) if not only or p.id in only]
    changed = []
    with tempfile.TemporaryDirectory(prefix="mlpapers-new-") as tmp:
        build(problems, Path(tmp))
        for problem in problems:
            fresh, current = Path(tmp) / problem.folder, RELEASE / problem.folder
            if not same_tree(fresh, current):
                if current.exists():
                    shutil.rmtree(current)
                shutil.copytree(fresh, current)
                changed.append(problem.folder)
    for path in [] if only else _stray(chapters):
        shutil.rmtree(path) if path.is_dir() else path.unlink()
        changed.append(str(path.relative_to(RELEASE)))
    return changed


def out_of_sync(chapters: list[str] | None = None) -> list[str]:
    """Release folders (and stray files) of ``chapters`` that differ from a fresh generation."""
    chapters = chapters or ready_chapters()
    problems = [p for c in chapters for p in ready_problems(c)]
    with tempfile.TemporaryDirectory(prefix="mlpapers-sync-") as tmp:
        build(problems, Path(tmp))
        stale = [p.folder for p in problems if not same_tree(Path(tmp) / p.folder, RELEASE / p.folder)]
    return stale + [str(p.relative_to(RELEASE)) for p in _stray(chapters)]

"""Where the course's folders are: the repository root and the folders the design fixes."""
from __future__ import annotations

import os
from pathlib import Path


def repo_root() -> Path:
    """The course repository: ``$MLPAPERS_ROOT``, else the folder holding ``grader_config.py``
    at or above the working directory, else the checkout this package was installed from."""
    if os.environ.get("MLPAPERS_ROOT"):
        return Path(os.environ["MLPAPERS_ROOT"]).resolve()
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if (folder / "grader_config.py").is_file() and (folder / "solutions").is_dir():
            return folder
    return Path(__file__).resolve().parents[2]


ROOT = repo_root()
#: the checkout this package runs from: the course root too, unless MLPAPERS_ROOT names another
#: (a grading machine's own folder, with the code on a shared file system)
CHECKOUT = Path(__file__).resolve().parents[2]
SOLUTIONS = ROOT / "solutions"
RELEASE = ROOT / "release"
NOTEBOOKS = ROOT / "notebooks"
GRADING = ROOT / "grading"
MUTANTS = ROOT / "tests" / "mutants"
BUILD = ROOT / "build"
GRADER_CONFIG = ROOT / "grader_config.py"

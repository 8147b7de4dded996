"""The catalog of chapters and problems (``catalog.toml``), the course's one list of problems.

Example: ``problem(173).notebook`` -> ``"turboquant/173_haar_rotation.ipynb"``
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

POINTS = {"Easy": 5, "Medium": 10, "Hard": 15, "Hard◆": 20}


@dataclass(frozen=True)
class Chapter:
    """One paper: an nbgrader assignment named by its slug."""
    slug: str
    title: str
    paper: str
    url: str
    number: int


@dataclass(frozen=True)
class Problem:
    """One problem: one notebook of a chapter."""
    id: int
    chapter: str
    slug: str
    title: str
    difficulty: str
    tags: tuple[str, ...]

    @property
    def points(self) -> int:
        return POINTS[self.difficulty]

    @property
    def stem(self) -> str:
        return f"{self.id}_{self.slug}"

    @property
    def notebook(self) -> str:
        """Path relative to ``solutions/``, ``release/`` and ``notebooks/``."""
        return f"{self.chapter}/{self.stem}.ipynb"


@lru_cache(maxsize=1)
def _load() -> tuple[tuple[Chapter, ...], tuple[Problem, ...]]:
    data = tomllib.loads((Path(__file__).with_name("catalog.toml")).read_text(encoding="utf-8"))
    chapters = tuple(Chapter(number=i + 1, **c) for i, c in enumerate(data["chapter"]))
    problems = tuple(Problem(**{**p, "tags": tuple(p["tags"])}) for p in data["problem"])
    return chapters, problems


def chapters() -> tuple[Chapter, ...]:
    """All chapters in course order."""
    return _load()[0]


def problems(chapter: str | None = None) -> tuple[Problem, ...]:
    """All problems (of one chapter if given), in catalog order."""
    every = _load()[1]
    if chapter is None:
        return every
    if chapter not in {c.slug for c in chapters()}:
        raise ValueError(f"unknown chapter {chapter!r}; known: {', '.join(c.slug for c in chapters())}")
    return tuple(p for p in every if p.chapter == chapter)


def problem(problem_id: int) -> Problem:
    """The problem with this id."""
    for p in problems():
        if p.id == problem_id:
            return p
    raise ValueError(f"unknown problem id {problem_id}")


def chapter(slug: str) -> Chapter:
    """The chapter with this slug."""
    for c in chapters():
        if c.slug == slug:
            return c
    raise ValueError(f"unknown chapter {slug!r}")

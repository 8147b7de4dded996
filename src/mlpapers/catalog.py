"""The catalog of chapters and problems (``catalog.toml``), the course's one list of problems.

Example: ``problem(173).notebook`` -> ``"turboquant/173_haar_rotation.ipynb"`` (the instructor
source, below ``solutions/``) and ``problem(173).released`` ->
``"turboquant/173_haar_rotation/173_haar_rotation.ipynb"`` (below ``release/`` and ``notebooks/``).
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
    reading_order: tuple[int, ...] = ()  # problem ids, where the chapter is not read in id order


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
        """The instructor source, relative to ``solutions/``."""
        return f"{self.chapter}/{self.stem}.ipynb"

    @property
    def assignment(self) -> str:
        """The nbgrader assignment id: one problem is one assignment (COURSE_DESIGN 2a)."""
        return self.stem

    @property
    def folder(self) -> str:
        """The problem's assignment folder, relative to ``release/`` and ``notebooks/``."""
        return f"{self.chapter}/{self.stem}"

    @property
    def released(self) -> str:
        """The student's notebook, relative to ``release/`` and ``notebooks/``."""
        return f"{self.folder}/{self.stem}.ipynb"


@lru_cache(maxsize=1)
def _load() -> tuple[tuple[Chapter, ...], tuple[Problem, ...]]:
    data = tomllib.loads((Path(__file__).with_name("catalog.toml")).read_text(encoding="utf-8"))
    chapters = tuple(Chapter(number=i + 1, **{**c, "reading_order": tuple(c.get("reading_order", ()))})
                     for i, c in enumerate(data["chapter"]))
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


def by_assignment(assignment: str) -> Problem:
    """The problem whose nbgrader assignment id is ``assignment``."""
    for p in problems():
        if p.assignment == assignment:
            return p
    raise ValueError(f"unknown assignment {assignment!r}")


def in_reading_order(slug: str) -> tuple[Problem, ...]:
    """A chapter's problems in the order its students meet them (its ``reading_order``, else by id)."""
    order = chapter(slug).reading_order
    siblings = problems(slug)
    if not order:
        return siblings
    rank = {pid: i for i, pid in enumerate(order)}
    return tuple(sorted(siblings, key=lambda p: rank[p.id]))


def earlier(problem: Problem) -> tuple[Problem, ...]:
    """The problems of ``problem``'s chapter that a student meets before it: the only ones whose
    answers may be released with it (COURSE_DESIGN 2a)."""
    siblings = in_reading_order(problem.chapter)
    return siblings[:siblings.index(problem)]


def chapter(slug: str) -> Chapter:
    """The chapter with this slug."""
    for c in chapters():
        if c.slug == slug:
            return c
    raise ValueError(f"unknown chapter {slug!r}")

"""The given module released with one problem: earlier answers of its chapter, cut to what it needs.

Each chapter keeps one instructor module, ``solutions/<chapter>/<chapter>_given.py``, holding the
reference answers of its problems. It is never released whole (COURSE_DESIGN 2a): problem N gets
a copy cut to the names its notebook imports from it, plus the module-level helpers, constants and
imports those names use, and nothing else. Every imported name must be the answer of a problem the
student met before N, or a helper that answers no problem at all.

Example: 175 imports ``lloyd_max`` and ``random_rotation``; its ``turboquant_given.py`` holds those
two functions (answers of 174 and 173) and the private helpers they call, not 176's QJL.
"""
from __future__ import annotations

import ast
from pathlib import Path

from mlpapers import catalog, notebooks
from mlpapers.paths import SOLUTIONS


class GivenError(ValueError):
    """A problem imports a given name it may not receive."""


def module_name(chapter: str) -> str:
    """The given module's import name, e.g. ``turboquant_given``."""
    return f"{chapter}_given"


def source_path(chapter: str) -> Path:
    """The chapter's whole instructor module (never released as is)."""
    return SOLUTIONS / chapter / f"{module_name(chapter)}.py"


def parse_cell(source: str) -> ast.Module | None:
    """A code cell as Python, IPython magics and shell lines blanked; None if it does not parse."""
    lines = ["" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines()]
    try:
        return ast.parse("\n".join(lines))
    except SyntaxError:
        return None


def imported_names(nb, module: str) -> set[str]:
    """Names the notebook's code cells import from ``module`` (``from module import a, b``)."""
    names: set[str] = set()
    for cell in nb.cells:
        tree = parse_cell(cell.source) if cell.cell_type == "code" else None
        for node in ast.walk(tree) if tree else ():
            if isinstance(node, ast.ImportFrom) and node.module == module:
                names |= {alias.name for alias in node.names}
            elif isinstance(node, ast.Import) and any(a.name == module for a in node.names):
                raise GivenError(f"`import {module}` takes the whole module; import the names it needs")
    return names


def answered_by(chapter: str) -> dict[str, catalog.Problem]:
    """Function and class names defined in the solution cells of the chapter's problems."""
    owners: dict[str, catalog.Problem] = {}
    for problem in catalog.problems(chapter):
        path = SOLUTIONS / problem.notebook
        if not path.exists():
            continue
        for cell in notebooks.read(path).cells:
            tree = parse_cell(cell.source) if notebooks.is_solution(cell) and cell.cell_type == "code" else None
            for node in tree.body if tree else ():
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                    owners.setdefault(node.name, problem)
    return owners


def _defined(node: ast.stmt) -> set[str]:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {node.name}
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return {(a.asname or a.name).split(".")[0] for a in node.names}
    targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
    return {n.id for t in targets if t is not None for n in ast.walk(t) if isinstance(n, ast.Name)}


def _used(node: ast.stmt) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def cut(source: str, names: set[str], docstring: str) -> str:
    """``source`` reduced to the statements that define ``names`` and what they use, in order.

    The module docstring is replaced by ``docstring`` and ``__all__`` lists ``names``.
    """
    tree = ast.parse(source)
    lines = source.splitlines()
    body = [n for n in tree.body if not (isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant)
                                         and isinstance(n.value.value, str))]
    body = [n for n in body if "__all__" not in _defined(n)]
    missing = names - set().union(*(_defined(n) for n in body))
    if missing:
        raise GivenError(f"not in the given module: {', '.join(sorted(missing))}")
    wanted, keep = set(names), set()
    while True:  # the closure of what the wanted names use
        grew = False
        for i, node in enumerate(body):
            if i not in keep and (_defined(node) & wanted or isinstance(node, ast.ImportFrom)
                                  and node.module == "__future__"):
                keep.add(i)
                wanted |= _used(node)
                grew = True
        if not grew:
            break
    parts = []
    for i in sorted(keep):
        node = body[i]
        start = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
        parts.append("\n".join(lines[start - 1:node.end_lineno]))
    head = f'"""{docstring}\n"""\n'
    future = [p for p in parts if p.startswith("from __future__")]
    rest = [p for p in parts if not p.startswith("from __future__")]
    imports = [p for p in rest if p.startswith(("import ", "from "))]
    code = [p for p in rest if p not in imports]
    all_line = "__all__ = [" + ", ".join(f'"{n}"' for n in sorted(names)) + "]"
    sections = [head + "\n".join(future + [""] + imports if future else imports), all_line, *code]
    return "\n\n\n".join(s.strip("\n") for s in sections if s.strip()) + "\n"


def given_for(problem: catalog.Problem) -> str | None:
    """The text of the given module released with ``problem``, or None if it imports nothing.

    Raises:
        GivenError: the notebook imports a name answered by this problem or a later one.
    """
    module = module_name(problem.chapter)
    names = imported_names(notebooks.read(SOLUTIONS / problem.notebook), module)
    if not names:
        return None
    owners = answered_by(problem.chapter)
    allowed = {p.id for p in catalog.earlier(problem)}
    early = {n: owners[n] for n in names if n in owners}
    late = sorted(f"{n} (answer of {p.id})" for n, p in early.items() if p.id not in allowed)
    if late:
        raise GivenError(f"problem {problem.id} imports answers it may not receive: {', '.join(late)}")
    chapter = catalog.chapter(problem.chapter)
    listing = "\n".join(f"* ``{n}``: " + (f"your answer to problem {early[n].id}" if n in early else "a helper")
                        for n in sorted(names))
    docstring = (f"What problem {problem.id} is given from the {chapter.title.split(':')[0]} chapter.\n\n"
                 f"Problems build on each other: once an earlier problem is done, later ones may rely on it\n"
                 f"without trusting your own version. This module holds the reference answers that\n"
                 f"problem {problem.id} uses, and nothing more:\n\n{listing}")
    return cut(source_path(problem.chapter).read_text(encoding="utf-8"), names, docstring)

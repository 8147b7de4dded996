"""The figures a notebook's Background shows before the task, made from the course code.

Each chapter package may have a ``figures`` module with a ``FIGURES`` dict mapping a file name
(``"<id>_<what>.png"``) to a function that returns a matplotlib figure. The images are committed
below ``solutions/<chapter>/figures/``; a notebook shows one with ``![what it shows](figures/<file>)``
and the release copies it into the problem's folder, so it renders on GitHub, in JupyterLab and in
HTML exports without running anything. ``make figures`` regenerates them all; a test fails when
one is missing or differs from a fresh rendering (PNG bytes are deterministic: fixed dpi, no
timestamp, the pinned matplotlib and its bundled fonts).

Example: ``python -m mlpapers figures`` -> ``figures: 18 images, changed: none``.
"""
from __future__ import annotations

import importlib
import io
from pathlib import Path
from typing import Callable

from mlpapers import catalog
from mlpapers.paths import SOLUTIONS

DPI = 100
MAX_WIDTH_PX = 800  # 400 px in the page at 2x; keeps the committed images small


def reference(chapter: str):
    """The chapter's instructor module ``solutions/<chapter>/<chapter>_given.py``, loaded by path.

    Figure functions that need an answer (a Lloyd-Max codebook, a mask) call this when they are
    rendered, on the instructor's side, so the installed package never holds an answer itself.
    """
    import importlib.util
    path = SOLUTIONS / chapter / f"{chapter}_given.py"
    spec = importlib.util.spec_from_file_location(f"_reference_{chapter}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def registry() -> dict[str, tuple[str, Callable]]:
    """``relative path below solutions/`` -> (chapter, figure function), over every chapter."""
    found: dict[str, tuple[str, Callable]] = {}
    for chapter in catalog.chapters():
        try:
            module = importlib.import_module(f"mlpapers.{chapter.slug}.figures")
        except ModuleNotFoundError:
            continue
        for name, make in module.FIGURES.items():
            found[f"{chapter.slug}/figures/{name}"] = (chapter.slug, make)
    return found


def render(make: Callable) -> bytes:
    """The PNG bytes of one figure, the same on every machine with the pinned stack."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    with matplotlib.rc_context({"svg.hashsalt": "mlpapers", "font.family": "DejaVu Sans"}):
        fig = make()
        width = fig.get_figwidth() * DPI
        if width > MAX_WIDTH_PX:
            raise ValueError(f"{make.__name__}: {width:.0f} px wide, at most {MAX_WIDTH_PX}")
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=DPI, metadata={"Software": None})
        plt.close(fig)
    return buf.getvalue()


def write_all(root: Path = SOLUTIONS) -> list[str]:
    """Render every figure into ``root``; return the paths whose bytes changed."""
    changed = []
    for rel, (_chapter, make) in registry().items():
        data, path = render(make), root / rel
        if not path.exists() or path.read_bytes() != data:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            changed.append(rel)
    return changed


def stale(root: Path = SOLUTIONS) -> list[str]:
    """Registered figures whose committed file is missing or differs from a fresh rendering."""
    return [rel for rel, (_c, make) in registry().items()
            if not (root / rel).exists() or (root / rel).read_bytes() != render(make)]

"""Figures of the Gemma 4 chapter: one module per problem (``figures_<id>.py``), merged here."""
from __future__ import annotations

import importlib

FIGURES: dict = {}
for _id in (182, 183, 181, 184, 185):
    try:
        FIGURES.update(importlib.import_module(f"mlpapers.gemma4.figures_{_id}").FIGURES)
    except ModuleNotFoundError as _exc:
        if _exc.name != f"mlpapers.gemma4.figures_{_id}":
            raise

"""Figures of the DeepSeek-V4 chapter: one module per problem (``figures_<id>.py``), merged here."""
from __future__ import annotations

import importlib

FIGURES: dict = {}
for _id in (360, 361, 369, 370, 371, 372):
    try:
        FIGURES.update(importlib.import_module(f"mlpapers.deepseek_v4.figures_{_id}").FIGURES)
    except ModuleNotFoundError as _exc:
        if _exc.name != f"mlpapers.deepseek_v4.figures_{_id}":
            raise

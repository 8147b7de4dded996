"""Figures of the Nemotron 3 chapter: one module per problem (``figures_<id>.py``), merged here."""
from __future__ import annotations

import importlib

FIGURES: dict = {}
for _id in (406, 419, 407, 408, 409, 410, 411, 412):
    try:
        FIGURES.update(importlib.import_module(f"mlpapers.nemotron3.figures_{_id}").FIGURES)
    except ModuleNotFoundError as _exc:
        if _exc.name != f"mlpapers.nemotron3.figures_{_id}":
            raise

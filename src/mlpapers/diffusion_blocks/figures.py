"""Figures of the DiffusionBlocks chapter: one module per problem (``figures_<id>.py``), merged here."""
from __future__ import annotations

import importlib

FIGURES: dict = {}
for _id in (400, 401, 402, 403, 404, 405):
    try:
        FIGURES.update(importlib.import_module(f"mlpapers.diffusion_blocks.figures_{_id}").FIGURES)
    except ModuleNotFoundError as _exc:
        if _exc.name != f"mlpapers.diffusion_blocks.figures_{_id}":
            raise

"""Explore the block-diffusion training mask of problem 417.

Training a block-autoregressive diffusion model on a whole response in one pass uses one attention
mask over ``[clean prompt (P) ; clean response (R) ; noisy response canvas (R)]`` (BD3-LM's
vectorised training, arXiv:2503.09573, with DiffusionGemma's token-causal encoder as the clean
part). The widget draws the mask returned by the student's ``block_diffusion_mask`` as a heat map
whose allowed cells are coloured by region (encoder causal, offset block-causal, block-diagonal),
with block boundaries and ``p``/``c``/``n`` tick labels. It counts the two kinds of leak a wrong
mask can have: a noisy row that sees its own block's clean answer, and a clean row that sees a
noisy token. It holds no solution: the mask comes from the function passed in.
"""
from __future__ import annotations

from typing import Callable

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import ListedColormap
from matplotlib.patches import Rectangle

from mlpapers.widgetkit import Explorer

__all__ = ["REGION_NAMES", "draw_block_mask", "mask_explorer", "mask_regions"]

REGION_NAMES = ("blocked", "encoder causal", "offset block-causal", "block-diagonal", "leak")
_COLOURS = ("#f4f4f4", "#4c72b0", "#55a868", "#dd8452", "#c44e52")


def mask_regions(mask: np.ndarray, prompt_len: int, response_len: int, block_size: int):
    """Label every allowed cell of ``mask`` by region; count the leaks.

    Args:
        mask: bool (P+2R, P+2R), True = may attend.
        prompt_len, response_len, block_size: P, R, S.

    Returns:
        (labels int (N, N) indexing :data:`REGION_NAMES`, own_block_leaks int, noisy_leaks int):
        ``own_block_leaks`` counts noisy queries that may read a clean token of their own block or
        a later one; ``noisy_leaks`` counts clean queries that may read a noisy token.

    Example: ``labels, own, noisy = mask_regions(m, 1, 4, 2)``
    """
    P, R, S = prompt_len, response_len, block_size
    m = np.asarray(mask, dtype=bool)
    N, C = P + 2 * R, P + R
    labels = np.zeros((N, N), dtype=int)
    rows, cols = np.indices((N, N))
    labels[m & (rows < C) & (cols < C)] = 1
    labels[m & (rows >= C) & (cols < C)] = 2
    labels[m & (rows >= C) & (cols >= C)] = 3
    clean_sees_noisy = m & (rows < C) & (cols >= C)
    blk = (np.clip(rows - C, 0, None)) // S                        # block of a noisy query
    own_or_later = (rows >= C) & (cols >= P + blk * S) & (cols < C)
    leak_own = m & own_or_later
    labels[clean_sees_noisy | leak_own] = 4
    return labels, int(leak_own.sum()), int(clean_sees_noisy.sum())


def draw_block_mask(block_diffusion_mask: Callable, *, prompt_len: int = 2, response_len: int = 8,
                    block_size: int = 3, show_forbidden: bool = True):
    """Heat map of ``block_diffusion_mask(P, R, S)`` with regions, block lines and leak counts.

    Args:
        block_diffusion_mask: the student's function of problem 417.
        prompt_len, response_len, block_size: P, R, S (S is clipped to [1, R]).
        show_forbidden: outline each noisy block's "own clean block" cells, which must stay empty.

    Returns:
        (figure, readout). A function that raises is reported in the readout.

    Example: ``fig, text = draw_block_mask(block_diffusion_mask, prompt_len=1, response_len=4, block_size=2)``
    """
    P, R = int(prompt_len), int(response_len)
    S = int(min(max(block_size, 1), R))
    N, C = P + 2 * R, P + R
    fig, ax = plt.subplots(figsize=(4.6, 4.6))
    try:
        mask = np.asarray(block_diffusion_mask(P, R, S))
        if mask.shape != (N, N):
            raise ValueError(f"expected shape {(N, N)}, got {mask.shape}")
    except Exception as exc:
        ax.set_axis_off()
        ax.text(0.0, 0.5, f"{type(exc).__name__}: {exc}", fontsize=8, wrap=True)
        return fig, f"block_diffusion_mask({P}, {R}, {S}) raised {type(exc).__name__}: {exc}"
    labels, own, noisy = mask_regions(mask, P, R, S)
    ax.imshow(labels, cmap=ListedColormap(_COLOURS), vmin=0, vmax=4, interpolation="nearest")
    names = [f"p{i}" for i in range(P)] + [f"c{i}" for i in range(R)] + [f"n{i}" for i in range(R)]
    fs = 7 if N <= 24 else 5
    ax.set_xticks(range(N), names, rotation=90, fontsize=fs)
    ax.set_yticks(range(N), names, fontsize=fs)
    ax.tick_params(length=0)
    # section lines (prompt | clean | noisy) and block boundaries inside both response parts
    for edge in (P - 0.5, C - 0.5):
        ax.axhline(edge, color="black", lw=1.2)
        ax.axvline(edge, color="black", lw=1.2)
    for start in range(S, R, S):
        for off in (P, C):
            ax.axhline(off + start - 0.5, color="black", lw=0.5, ls=":")
            ax.axvline(off + start - 0.5, color="black", lw=0.5, ls=":")
    if show_forbidden:
        for b0 in range(0, R, S):
            b1 = min(b0 + S, R)
            ax.add_patch(Rectangle((P + b0 - 0.5, C + b0 - 0.5), b1 - b0, b1 - b0, fill=False,
                                   hatch="//", edgecolor="#c44e52", lw=1.0))
    handles = [Rectangle((0, 0), 1, 1, color=c) for c in _COLOURS[1:]]
    ax.legend(handles, REGION_NAMES[1:], fontsize=7, loc="upper right", framealpha=0.9)
    ax.set_title(f"block_diffusion_mask({P}, {R}, {S})", fontsize=10)
    fig.tight_layout()
    verdict = "no leak" if own == 0 and noisy == 0 else "LEAK"
    readout = (f"{int(mask.sum())} of {N * N} entries allowed; noisy rows reading their own or a later "
               f"clean block: {own}; clean rows reading noisy tokens: {noisy} -> {verdict}")
    return fig, readout


def mask_explorer(block_diffusion_mask: Callable) -> Explorer:
    """Sliders P, R, S and a checkbox over :func:`draw_block_mask` (S's maximum follows R).

    Example: ``mask_explorer(block_diffusion_mask).show(interactive)``
    """
    controls = {
        "prompt_len": widgets.IntSlider(value=2, min=0, max=6, description="P"),
        "response_len": widgets.IntSlider(value=8, min=1, max=16, description="R"),
        "block_size": widgets.IntSlider(value=3, min=1, max=8, description="S"),
        "show_forbidden": widgets.Checkbox(value=True, description="own clean block"),
    }

    def follow(change):
        controls["block_size"].max = change["new"]

    controls["response_len"].observe(follow, names="value")

    def draw(**values):
        return draw_block_mask(block_diffusion_mask, **values)

    return Explorer(draw, controls, title="Block-diffusion attention mask")

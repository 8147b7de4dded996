"""Explorer for DeepSeek Sparse Attention (DeepSeek-V4 problem 370).

:func:`make_dsa_explorer` draws, for a fixed random 16-token sequence, the lightning-indexer
scores ``I[t, s]`` as a heat-map with the cells each query selects outlined (future positions
greyed out), and beside it the total attention mass ``sum_s p[t, s]`` that every query puts on
its selected keys. Sliders set top-k, the number of indexer heads used, and the attention-sink
logit; with a sink the mass drops below 1 (the rest goes to the sink).

Everything drawn comes from the student's ``indexer_scores``, ``topk_select`` and
``sparse_mqa_attention``; the mass is ``sparse_mqa_attention`` with every value equal to 1.
"""
from __future__ import annotations

from typing import Callable

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np

from mlpapers.widgetkit import Explorer

__all__ = ["T", "MAX_INDEXER_HEADS", "scenario", "draw_dsa", "make_dsa_explorer"]

T = 16                     # tokens (queries = keys)
MAX_INDEXER_HEADS = 8      # indexer heads available to the slider
C_IDX = 8                  # indexer head dimension
N_HEADS, D = 2, 8          # attention heads, attention head dimension


def scenario(seed: int = 0) -> dict[str, np.ndarray]:
    """The fixed random inputs: indexer queries/weights/keys and attention queries/keys.

    Example: scenario(0)["q_idx"].shape -> (16, 8, 8).
    """
    rng = np.random.default_rng(370_000 + int(seed))
    return {
        "q_idx": rng.standard_normal((T, MAX_INDEXER_HEADS, C_IDX)),     # (T, H_I, c_I)
        "w_idx": rng.uniform(0.2, 1.0, size=(T, MAX_INDEXER_HEADS)),     # (T, H_I)
        "k_idx": rng.standard_normal((T, C_IDX)),                        # (S, c_I)
        "q": rng.standard_normal((T, N_HEADS, D)),                       # (T, H, D)
        "keys": rng.standard_normal((T, D)),                             # (S, D)
    }


def draw_dsa(*, indexer_scores: Callable, topk_select: Callable, sparse_mqa_attention: Callable,
             k: int = 4, indexer_heads: int = 4, sink: float = 0.0, seed: int = 0):
    """Heat-map of the indexer scores with the selection, and the attention mass per query.

    Returns ``(figure, readout)``.
    """
    data = scenario(seed)
    n = int(indexer_heads)
    scores = np.asarray(indexer_scores(data["q_idx"][:, :n], data["w_idx"][:, :n], data["k_idx"]), dtype=float)
    visible = np.arange(T)[None, :] <= np.arange(T)[:, None]                # s <= t
    idx = np.asarray(topk_select(scores, int(k), visible))                  # (T, k)
    sink_logits = np.full(N_HEADS, float(sink))
    mass = np.asarray(sparse_mqa_attention(data["q"], data["keys"], np.ones((T, 1)), idx,
                                           1.0 / np.sqrt(D), sink_logits), dtype=float)[..., 0]  # (T, H)

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(7.6, 3.6), gridspec_kw={"width_ratios": [1.15, 1]})
    im = ax1.imshow(np.where(visible, scores, np.nan), cmap="viridis", origin="upper")
    im.set_gid("scores")
    ax1.imshow(np.where(visible, np.nan, 1.0), cmap="Greys", vmin=0, vmax=4, origin="upper")
    rows, cols = np.nonzero(idx >= 0)
    chosen = idx[rows, cols]
    outline = ax1.scatter(chosen, rows, marker="s", s=58, facecolors="none", edgecolors="tab:red", linewidths=1.3)
    outline.set_gid("selected")
    ax1.set_xlabel("key position s", fontsize=8)
    ax1.set_ylabel("query position t", fontsize=8)
    ax1.set_title(f"indexer scores, {n} head{'s' if n > 1 else ''}; top-{int(k)} outlined", fontsize=8)
    ax1.tick_params(labelsize=7)

    x = np.arange(T)
    for h, colour in zip(range(N_HEADS), ("tab:blue", "tab:orange")):
        bars = ax2.bar(x + (h - 0.5) * 0.4, mass[:, h], width=0.4, color=colour, label=f"head {h}")
        for b in bars:
            b.set_gid(f"mass_head{h}")
    ax2.axhline(1.0, color="0.3", ls="--", lw=0.8, label="no sink: mass 1")
    ax2.set_ylim(0, 1.3)
    ax2.set_xlabel("query position t", fontsize=8)
    ax2.set_ylabel(r"attention mass $\sum_{s\in\mathcal{S}_t} p_{t,s}$", fontsize=8)
    ax2.set_title(f"sink logit z' = {float(sink):+.1f}", fontsize=8)
    ax2.tick_params(labelsize=7)
    ax2.legend(fontsize=6, loc="upper center", ncol=3, frameon=False)
    fig.tight_layout()

    n_sel = int(chosen.size)
    future = int(np.sum(chosen > rows))
    readout = (f"k = {int(k)}, {n} indexer head{'s' if n > 1 else ''}: {n_sel} cells selected "
               f"({future} in the future); sink logit {float(sink):+.1f}: attention mass per query "
               f"min {mass.min():.3f}, mean {mass.mean():.3f}, max {mass.max():.3f}")
    return fig, readout


def make_dsa_explorer(indexer_scores: Callable, topk_select: Callable, sparse_mqa_attention: Callable,
                      seed: int = 0) -> Explorer:
    """Explorer with sliders ``k`` (1 ... 16), ``indexer_heads`` (1 ... 8) and ``sink`` (-6 ... 6)."""
    controls = {
        "k": widgets.IntSlider(value=4, min=1, max=T, description="top-k", continuous_update=False),
        "indexer_heads": widgets.IntSlider(value=4, min=1, max=MAX_INDEXER_HEADS, description="indexer heads",
                                           continuous_update=False),
        "sink": widgets.FloatSlider(value=0.0, min=-6.0, max=6.0, step=0.5, description="sink logit",
                                    continuous_update=False),
    }
    return Explorer(lambda **v: draw_dsa(indexer_scores=indexer_scores, topk_select=topk_select,
                                         sparse_mqa_attention=sparse_mqa_attention, seed=seed, **v),
                    controls, title="DeepSeek Sparse Attention: what each query keeps")

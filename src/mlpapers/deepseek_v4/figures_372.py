"""Background figures of problem 372 (hybrid CSA/HCA attention and the 1M-token bill).

* ``372_key_sets.png``: for a toy sequence of 16 tokens (m = 4, n_win = 4, top-k = 1), the window
  tokens and compressed entries each query attends to in an HCA layer and in a CSA layer, as one
  key set per query. Visibility and the top-k choice come from the instructor's module
  (``mlpapers.figures.reference``) at render time.
* ``372_bill_vs_context.png``: KV-cache GB and decode GFLOPs of one token against context length
  (linear axes, up to 1M tokens) for V3.2, V4-Pro and V4-Flash, the shape of the report's Fig. 1
  (right), from the instructor's ``kv_cache_bytes`` and ``decode_flops``.
"""
from __future__ import annotations

import numpy as np

from mlpapers.deepseek_v4.bill_widget import COLOURS, DESIGNS, plot_bill
from mlpapers.figures import reference

CHAPTER = "deepseek_v4"


def _plt():
    import matplotlib.pyplot as plt
    return plt


def key_sets():
    """372: rows = queries t, columns = the 16 window tokens then the 4 compressed entries."""
    ref, plt = reference(CHAPTER), _plt()
    T, m, n_win, N = 16, 4, 4, 4
    visible = ref.compressed_visibility(T, N, m)
    scores = np.random.default_rng(3).standard_normal((T, N))        # a stand-in indexer score
    chosen = ref.topk_select(scores, 1, visible)
    fig, axes = plt.subplots(1, 2, figsize=(7.6, 3.5), sharey=True)
    for ax, kind in zip(axes, ("HCA", "CSA")):
        grid = np.zeros((T, T + N))
        for t in range(T):
            grid[t, max(0, t - n_win + 1):t + 1] = 1                     # window tokens
            comp = np.flatnonzero(visible[t]) if kind == "HCA" else chosen[t][chosen[t] >= 0]
            grid[t, T + comp] = 2                                        # compressed entries
            grid[t, T:][visible[t] & (grid[t, T:] == 0)] = 0.5           # visible, not selected
        cmap = plt.matplotlib.colors.ListedColormap(["white", "#d9d9d9", "#6baed6", "#e6550d"])
        norm = plt.matplotlib.colors.BoundaryNorm([-0.25, 0.25, 0.75, 1.5, 2.5], 4)
        ax.imshow(grid, cmap=cmap, norm=norm, aspect="auto", interpolation="nearest")
        ax.axvline(T - 0.5, color="black", lw=1.0)
        ax.set_xticks(list(range(0, T, 4)) + list(range(T, T + N)),
                      [str(s) for s in range(0, T, 4)] + [f"C{i}" for i in range(N)], fontsize=7)
        ax.set_xticks(np.arange(-0.5, T + N, 1), minor=True)
        ax.set_yticks(np.arange(-0.5, T, 1), minor=True)
        ax.grid(which="minor", color="0.85", lw=0.4)
        ax.tick_params(which="minor", length=0)
        ax.set_xlabel("window tokens s  |  compressed entries")
        what = "all visible entries" if kind == "HCA" else "top-1 visible entry"
        ax.set_title(f"{kind} layer: window + {what}", fontsize=9)
    axes[0].set_ylabel("query t")
    axes[0].set_yticks(range(0, T, 2))
    from matplotlib.patches import Patch
    handles = [Patch(facecolor="#6baed6", label=f"window token (last n_win = {n_win})"),
               Patch(facecolor="#e6550d", label="compressed entry attended"),
               Patch(facecolor="#d9d9d9", label="visible, not selected")]
    fig.legend(handles=handles, loc="lower center", ncol=3, fontsize=7, frameon=False)
    fig.suptitle(f"One softmax per query over its key set (m = {m}; entry i is complete at token {m}(i+1) - 1)",
                 fontsize=9)
    fig.subplots_adjust(left=0.07, right=0.99, bottom=0.22, top=0.86, wspace=0.08)
    return fig


def bill_vs_context():
    """372: the three designs' KV bytes and decode FLOPs against context (linear axes, to 1M tokens)."""
    ref, plt = reference(CHAPTER), _plt()
    cfgs = ref.published_configs()
    contexts = [2 ** 14 * k for k in range(1, 65)]                    # 16K ... 1M
    fig, (ax_kv, ax_fl) = plt.subplots(1, 2, figsize=(7.6, 3.2))
    curves = plot_bill(ax_kv, ax_fl, cfgs, ref.kv_cache_bytes, ref.decode_flops, contexts, logx=False)
    ticks = [0, 2 ** 18, 2 ** 19, 3 * 2 ** 18, 2 ** 20]
    for ax in (ax_kv, ax_fl):
        ax.set_xticks(ticks, ["0", "256K", "512K", "768K", "1M"])
        ax.set_xlim(0, 2 ** 20 * 1.2)
    for name, dy in zip(DESIGNS[1:], (5, -5)):
        kv, fl = curves[name]
        base_kv, base_fl = curves["V3.2"]
        ax_kv.annotate(f"{100 * kv[-1] / base_kv[-1]:.1f} %", (contexts[-1], kv[-1] / 1e9), fontsize=7,
                       color=COLOURS[name], xytext=(4, dy), textcoords="offset points", va="center")
        ax_fl.annotate(f"{100 * fl[-1] / base_fl[-1]:.1f} %", (contexts[-1], fl[-1] / 1e9), fontsize=7,
                       color=COLOURS[name], xytext=(4, 0), textcoords="offset points", va="center")
    ax_kv.set_title("accumulated KV cache", fontsize=9)
    ax_fl.set_title("FLOPs to decode one token", fontsize=9)
    ax_kv.legend(fontsize=7, loc="upper left")
    fig.tight_layout()
    return fig


FIGURES = {
    "372_key_sets.png": key_sets,
    "372_bill_vs_context.png": bill_vs_context,
}

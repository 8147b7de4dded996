"""Figure of problem 370 (DeepSeek Sparse Attention), shown in its Background before the task.

The indexer scores and the top-k selection are the instructor's ``indexer_scores`` and
``topk_select``, loaded through ``mlpapers.figures.reference("deepseek_v4")`` when the figure is
rendered; nothing here computes them.
"""
from __future__ import annotations

import numpy as np

T, H_I, C_I, K = 16, 4, 8, 4          # tokens, indexer heads, indexer head dim, top-k


def indexer_heatmap():
    """370: the T x S lightning-indexer scores of a random 16-token sequence, the top-4 cells each
    query selects (outlined), and the causal boundary s <= t."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    from mlpapers.figures import reference

    ref = reference("deepseek_v4")
    rng = np.random.default_rng(370)
    q_idx = rng.standard_normal((T, H_I, C_I))
    w_idx = rng.uniform(0.2, 1.0, size=(T, H_I))
    k_idx = rng.standard_normal((T, C_I))
    scores = ref.indexer_scores(q_idx, w_idx, k_idx)                      # (T, S)
    visible = np.arange(T)[None, :] <= np.arange(T)[:, None]              # s <= t
    idx = ref.topk_select(scores, K, visible)                             # (T, K)

    fig, ax = plt.subplots(figsize=(5.6, 4.6))
    shown = np.where(visible, scores, np.nan)
    im = ax.imshow(shown, cmap="viridis", origin="upper")
    future = np.where(visible, np.nan, 1.0)
    ax.imshow(future, cmap="Greys", vmin=0, vmax=4, origin="upper")       # light grey: s > t
    for t in range(T):
        for s in idx[t][idx[t] >= 0]:
            ax.add_patch(Rectangle((s - 0.5, t - 0.5), 1, 1, fill=False, edgecolor="tab:red", lw=1.6))
    stair = [(0.5, -0.5)]
    for t in range(T):                                                   # right edge of cell (t, t)
        stair += [(t + 0.5, t + 0.5), (min(t + 1.5, T - 0.5), t + 0.5)]
    sx, sy = np.array(stair).T
    ax.plot(sx, sy, color="black", lw=1.0, ls="--", label="causal boundary (s = t)")
    ax.plot([], [], "s", mfc="none", mec="tab:red", ms=8, label=f"selected: top-{K} visible per row")
    ax.set_xlabel("key position s", fontsize=8)
    ax.set_ylabel("query position t", fontsize=8)
    ax.set_xticks(range(0, T, 3))
    ax.set_yticks(range(0, T, 3))
    ax.tick_params(labelsize=7)
    ax.set_title(f"Lightning-indexer scores $I_{{t,s}}$ ({H_I} heads, T = S = {T}); grey: future (s > t)",
                 fontsize=8)
    ax.legend(fontsize=7, loc="upper right", frameon=True)
    cbar = fig.colorbar(im, ax=ax, fraction=0.046, pad=0.03)
    cbar.ax.tick_params(labelsize=7)
    cbar.set_label("$I_{t,s}$", fontsize=8)
    fig.tight_layout()
    return fig


FIGURES = {
    "370_indexer_heatmap.png": indexer_heatmap,
}

"""Figure of problem 181's Background: attention weights with QK-norm at scale 1, at 1/sqrt(d), and in a window.

The q, k and weights come from the instructor's module (``mlpapers.figures.reference("gemma4")``)
at render time; nothing here computes attention. Weights are read off ``attention_core`` with
one-hot values (value j = e_j, head_dim >= T), so output entry j of query i is its weight on key j.
"""
from __future__ import annotations

import numpy as np

T_FIG, HIDDEN_FIG, D_FIG, WINDOW_FIG = 12, 32, 64, 4


def _weights(ref, q, k, positions, window):
    """(T, T) weights of a one-head layer, read from the reference attention_core."""
    n, _, d = q.shape
    onehot = np.zeros((n, 1, d))
    onehot[np.arange(n), 0, np.arange(n)] = 1.0
    return ref.attention_core(q, k, onehot, positions, positions, window)[:, :n]


def softmax_temperature():
    """181: one head's weights: QK-norm with scale 1, the same scores divided by sqrt(d), and a window W = 4."""
    from matplotlib import pyplot as plt

    from mlpapers.figures import reference
    ref = reference("gemma4")
    rng = np.random.default_rng(181)
    x = rng.standard_normal((T_FIG, HIDDEN_FIG))
    w_q, w_k, w_v = (HIDDEN_FIG ** -0.5 * rng.standard_normal((HIDDEN_FIG, D_FIG)) for _ in range(3))
    pos = np.arange(T_FIG)
    ones = np.ones(D_FIG)
    q, k, _v = ref.gemma4_qkv(x, w_q, w_k, w_v, ones, ones, 1, 1, D_FIG, pos, ref.rope_inv_freq(D_FIG, 1e4))
    panels = [(_weights(ref, q, k, pos, None), "Gemma 4: scale 1, causal"),
              (_weights(ref, q / np.sqrt(D_FIG), k, pos, None), "Gemma 3 scale: ÷√d, causal"),
              (_weights(ref, q, k, pos, WINDOW_FIG), f"Gemma 4: scale 1, window W = {WINDOW_FIG}")]
    visible_all = _weights(ref, np.zeros_like(q), k, pos, None) > 0
    visible_win = _weights(ref, np.zeros_like(q), k, pos, WINDOW_FIG) > 0
    cmap = plt.get_cmap("viridis").with_extremes(bad="0.88")
    fig, axes = plt.subplots(1, 3, figsize=(7.6, 2.95))
    for i, (ax, (w, title)) in enumerate(zip(axes, panels)):
        seen = visible_win if i == 2 else visible_all
        img = ax.imshow(np.ma.masked_where(~seen, w), vmin=0, vmax=1, cmap=cmap, interpolation="nearest")
        ent = float(np.mean(-np.sum(np.where(w > 0, w * np.log(np.clip(w, 1e-300, None)), 0.0), axis=1)))
        ax.set_title(f"{title}\nmean row entropy {ent:.2f} nats", fontsize=8)
        ax.set_xlabel("key position j", fontsize=8)
        ax.set_xticks(range(0, T_FIG, 3))
        ax.set_yticks(range(0, T_FIG, 3))
        ax.tick_params(labelsize=7)
    axes[0].set_ylabel("query position i", fontsize=8)
    bar = fig.colorbar(img, cax=axes[2].inset_axes([1.04, 0.0, 0.05, 1.0]))
    bar.ax.tick_params(labelsize=7)
    bar.set_label("weight", fontsize=7)
    fig.suptitle(f"One head, d = {D_FIG}, norm weights 1 (grey: keys the query may not see)", fontsize=9)
    fig.subplots_adjust(left=0.07, right=0.9, bottom=0.14, top=0.78, wspace=0.3)
    return fig


FIGURES = {
    "181_softmax_temperature.png": softmax_temperature,
}

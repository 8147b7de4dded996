"""Explorer for problem 181: Gemma 4 attention weights, scale 1 against 1/sqrt(d), causal against a window.

A small synthetic layer (T = 16 tokens, hidden size 32, two query heads sharing one KV head,
head_dim 16, ordinary RoPE with theta 10 000) goes through the student's ``gemma4_qkv``; the
attention weights are then read from the student's ``attention_core``, never computed here:
with one-hot values (value j is the unit vector e_j, possible because head_dim >= T) the output
of query i in head h *is* that query's row of weights. A third call with q = 0 (all scores
equal) spreads each query uniformly over the keys it may see, which draws the mask.

Controls: the sliding window W (W = T is plain causal attention), a toggle "divide by sqrt(d)"
(the Gemma 3 scale, applied by passing q / sqrt(d)) and the q/k norm weight g (both norm weights
set to g * ones, so every score is multiplied by g^2; g = d^(-1/4) = 0.5 reproduces the 1/sqrt(d)
softmax exactly).

Not covered: real model activations, learned (non-constant) norm weights, proportional RoPE.
"""
from __future__ import annotations

from typing import Callable

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np

from mlpapers.widgetkit import Explorer

__all__ = ["T", "HIDDEN", "N_HEADS", "N_KV_HEADS", "HEAD_DIM", "THETA", "layer_data", "attention_weights",
           "draw_attention", "make_attention_explorer"]

T, HIDDEN, N_HEADS, N_KV_HEADS, HEAD_DIM = 16, 32, 2, 1, 16
THETA = 10_000.0


def layer_data(seed: int = 0) -> dict:
    """Inputs and projection weights of the synthetic layer, drawn from ``default_rng(seed)``.

    Returns:
        dict with ``x`` (T, HIDDEN), ``w_q`` (HIDDEN, N_HEADS * HEAD_DIM), ``w_k`` and ``w_v``
        (HIDDEN, N_KV_HEADS * HEAD_DIM), ``positions`` (T,) int.

    Example: ``layer_data(0)["x"].shape`` -> ``(16, 32)``
    """
    rng = np.random.default_rng(seed)
    scale = HIDDEN ** -0.5
    return {"x": rng.standard_normal((T, HIDDEN)),
            "w_q": scale * rng.standard_normal((HIDDEN, N_HEADS * HEAD_DIM)),
            "w_k": scale * rng.standard_normal((HIDDEN, N_KV_HEADS * HEAD_DIM)),
            "w_v": scale * rng.standard_normal((HIDDEN, N_KV_HEADS * HEAD_DIM)),
            "positions": np.arange(T)}


def attention_weights(attention_core: Callable, q, k, positions, window: int | None) -> np.ndarray:
    """Rows of attention weights (H, T, T) read from ``attention_core`` with one-hot values.

    Value j is e_j (head_dim >= T), so output column block h, entry j, of query i is the weight
    query i of head h gives to key j.
    """
    q = np.asarray(q, dtype=np.float64)
    k = np.asarray(k, dtype=np.float64)
    n, n_heads, d = q.shape
    onehot = np.zeros((k.shape[0], k.shape[1], d))
    onehot[np.arange(k.shape[0]), :, np.arange(k.shape[0])] = 1.0        # v[j, :, j] = 1
    out = np.asarray(attention_core(q, k, onehot, positions, positions, window), dtype=np.float64)
    return out.reshape(n, n_heads, d)[:, :, :k.shape[0]].transpose(1, 0, 2)   # (H, Tq, Tk)


def _entropy(weights: np.ndarray) -> np.ndarray:
    """Entropy in nats of every row of weights (..., Tk)."""
    p = np.clip(weights, 1e-300, None)
    return -np.sum(np.where(weights > 0, weights * np.log(p), 0.0), axis=-1)


def draw_attention(*, gemma4_qkv: Callable, attention_core: Callable, rope_inv_freq: Callable, data: dict,
                   window: int = T, divide_by_sqrt_d: bool = False, norm_scale: float = 1.0):
    """Heat-maps of both heads' weights and the row entropies; returns ``(figure, readout)``.

    ``window`` >= T means no window (plain causal); ``divide_by_sqrt_d`` feeds q / sqrt(d);
    ``norm_scale`` g sets both norm weights to g * ones.
    """
    g = float(norm_scale)
    W = None if int(window) >= T else int(window)
    inv_freq = rope_inv_freq(HEAD_DIM, THETA)
    ones = np.ones(HEAD_DIM)
    q, k, _v = gemma4_qkv(data["x"], data["w_q"], data["w_k"], data["w_v"], g * ones, g * ones,
                          N_HEADS, N_KV_HEADS, HEAD_DIM, data["positions"], inv_freq)
    q = np.asarray(q, dtype=np.float64)
    pos = data["positions"]
    scale_one = attention_weights(attention_core, q, k, pos, W)
    gemma3 = attention_weights(attention_core, q / np.sqrt(HEAD_DIM), k, pos, W)
    uniform = attention_weights(attention_core, np.zeros_like(q), k, pos, W)[0]     # (T, T)
    visible = uniform > 0
    shown = gemma3 if divide_by_sqrt_d else scale_one

    cmap = plt.get_cmap("viridis").with_extremes(bad="0.88")          # grey: keys the query may not see
    fig, axes = plt.subplots(1, 3, figsize=(7.6, 2.9), gridspec_kw={"width_ratios": [1, 1, 1.15]})
    for h in range(N_HEADS):
        ax = axes[h]
        img = ax.imshow(np.ma.masked_where(~visible, shown[h]), vmin=0.0, vmax=1.0, cmap=cmap,
                        interpolation="nearest")
        img.set_gid(f"weights_head{h}")
        ax.set_title(f"query head {h} (shared KV head 0)", fontsize=8)
        ax.set_xlabel("key position j", fontsize=8)
        ax.set_xticks(range(0, T, 5))
        ax.set_yticks(range(0, T, 5))
        ax.tick_params(labelsize=6)
        if h == 0:
            ax.set_ylabel("query position i", fontsize=8)
    bar = fig.colorbar(img, cax=axes[1].inset_axes([1.04, 0.0, 0.05, 1.0]))
    bar.ax.tick_params(labelsize=6)
    ax = axes[2]
    rows = np.arange(T)
    ax.plot(rows, np.log(visible.sum(axis=1)), color="0.6", ls=":", lw=1.2, label="uniform over visible",
            gid="entropy_uniform")
    ax.plot(rows, _entropy(gemma3).mean(axis=0), color="tab:orange", lw=2.2 if divide_by_sqrt_d else 1.0,
            label="÷√d (Gemma 3 scale)", gid="entropy_sqrt_d")
    ax.plot(rows, _entropy(scale_one).mean(axis=0), color="tab:blue", lw=1.0 if divide_by_sqrt_d else 2.2,
            label="scale 1 (Gemma 4)", gid="entropy_scale1")
    ax.set_xlabel("query position i", fontsize=8)
    ax.set_ylabel("nats", fontsize=8)
    ax.set_title("row entropy (mean over heads)", fontsize=8)
    ax.tick_params(labelsize=6)
    ax.set_ylim(0.0, 1.6 * max(float(np.log(visible.sum(axis=1)).max()), 0.1))
    ax.legend(fontsize=6, loc="upper left", frameon=False)
    mask_text = "causal" if W is None else f"sliding window W = {W}"
    scale_text = "÷√d" if divide_by_sqrt_d else "scale 1"
    fig.suptitle(f"{mask_text}, {scale_text}, norm weights g = {g:.2f}", fontsize=9)
    fig.subplots_adjust(left=0.07, right=0.98, bottom=0.16, top=0.82, wspace=0.5)

    def summary(w):
        return f"mean entropy {_entropy(w).mean():.3f} nats, mean top weight {w.max(axis=-1).mean():.3f}"

    readout = (f"{mask_text}, g = {g:.2f} (every score times g² = {g * g:.4f}); "
               f"showing {'÷√d' if divide_by_sqrt_d else 'scale 1'}.\n"
               f"scale 1 (Gemma 4): {summary(scale_one)}\n"
               f"÷√d (Gemma 3):     {summary(gemma3)}\n"
               f"uniform over the visible keys: mean entropy {np.log(visible.sum(axis=1)).mean():.3f} nats\n"
               f"scale 1 at g = d^(-1/4) = {HEAD_DIM ** -0.25:.2f} gives the ÷√d weights of g = 1")
    return fig, readout


def make_attention_explorer(gemma4_qkv: Callable, attention_core: Callable, rope_inv_freq: Callable,
                            seed: int = 0) -> Explorer:
    """Explorer with a window slider (1 ... T, T = causal), a ÷√d toggle and a norm-weight slider g."""
    data = layer_data(seed)
    controls = {
        "window": widgets.IntSlider(value=T, min=1, max=T, description="window W", continuous_update=False),
        "divide_by_sqrt_d": widgets.Checkbox(value=False, description="divide by √d"),
        "norm_scale": widgets.FloatSlider(value=1.0, min=0.25, max=2.0, step=0.05, description="norm g",
                                          continuous_update=False),
    }
    return Explorer(lambda **v: draw_attention(gemma4_qkv=gemma4_qkv, attention_core=attention_core,
                                               rope_inv_freq=rope_inv_freq, data=data, **v),
                    controls, title="Gemma 4 attention weights: scale 1, QK-norm, sliding window")

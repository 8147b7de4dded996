"""The proportional-RoPE rotation-angle map (Gemma 4, problem 183).

:func:`draw_rope_map` shows, for a Gemma 4 global layer (head_dim 512, theta 1e6), the angle by
which RoPE has turned every frequency pair at the positions m ... m + 127, for default RoPE and
for proportional RoPE with fraction p, and the score q.k of a query and a key with the same
content against their distance. :func:`make_rope_explorer` adds sliders for p and m.

Everything drawn comes from the student's ``rope_inv_freq`` and ``apply_rope``: the angles are
read back from ``apply_rope`` applied to a probe vector, never computed here.
"""
from __future__ import annotations

from typing import Callable

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np

from mlpapers.widgetkit import Explorer

__all__ = ["HEAD_DIM", "THETA", "WINDOW", "DISTANCES", "content_vector", "draw_rope_map", "make_rope_explorer"]

HEAD_DIM, THETA = 512, 1e6            # a Gemma 4 global (full-attention) layer
WINDOW = 128                          # positions shown in each angle map
#: query-key distances of the score panel: 0, then about 120 log-spaced values up to 131 072
DISTANCES = np.unique(np.concatenate([[0], np.round(np.logspace(0, np.log10(131072), 120))])).astype(np.int64)


def content_vector(head_dim: int = HEAD_DIM, seed: int = 0) -> np.ndarray:
    """A fixed random unit vector of length ``head_dim``: the content of both the query and the key."""
    v = np.random.default_rng(seed).standard_normal(head_dim)
    return v / np.linalg.norm(v)


def _angles(apply_rope: Callable, inv_freq, positions) -> np.ndarray:
    """(pairs, positions) angles read back from apply_rope on the probe [1, ..., 1, 0, ..., 0]."""
    half = HEAD_DIM // 2
    probe = np.concatenate([np.ones(half), np.zeros(half)])
    x = np.broadcast_to(probe, (len(positions), 1, HEAD_DIM)).copy()         # (T, 1, d)
    y = np.asarray(apply_rope(x, positions, inv_freq), dtype=float)[:, 0]     # (T, d)
    return np.arctan2(y[:, half:], y[:, :half]).T                            # (d/2, T) in (-pi, pi]


def _scores(apply_rope: Callable, inv_freq, v, key_position: int) -> np.ndarray:
    """q.k with q = k = v, the key at ``key_position`` and the query DISTANCES later."""
    T = DISTANCES.size
    x = np.broadcast_to(v, (T, 1, HEAD_DIM)).copy()
    q = np.asarray(apply_rope(x, key_position + DISTANCES, inv_freq), dtype=float)[:, 0]
    k = np.asarray(apply_rope(x, np.full(T, key_position, dtype=np.int64), inv_freq), dtype=float)[:, 0]
    return np.einsum("td,td->t", q, k)


def draw_rope_map(*, rope_inv_freq: Callable, apply_rope: Callable, p: float = 0.25, m: int = 0, seed: int = 0):
    """Angle maps (default, proportional p) over positions m ... m+127 and q.k against distance.

    Returns ``(figure, readout)``.
    """
    p, m = float(p), int(m)
    inv_default = np.asarray(rope_inv_freq(HEAD_DIM, THETA), dtype=float)
    inv_prop = np.asarray(rope_inv_freq(HEAD_DIM, THETA, p, "proportional"), dtype=float)
    positions = np.arange(m, m + WINDOW, dtype=np.int64)
    half = HEAD_DIM // 2
    n_rot = int(np.count_nonzero(inv_prop))
    v = content_vector(HEAD_DIM, seed)

    fig = plt.figure(figsize=(7.6, 3.2))
    axes = [fig.add_axes([0.075, 0.15, 0.215, 0.75]), fig.add_axes([0.31, 0.15, 0.215, 0.75]),
            fig.add_axes([0.69, 0.15, 0.295, 0.75])]
    extent = (-0.5, WINDOW - 0.5, -0.5, half - 0.5)                    # x: position - m
    for ax, inv, name, title in ((axes[0], inv_default, "default", "default RoPE"),
                                 (axes[1], inv_prop, "proportional", f"proportional, p = {p:.2f}")):
        image = ax.imshow(_angles(apply_rope, inv, positions), origin="lower", aspect="auto", extent=extent,
                          cmap="twilight_shifted", vmin=-np.pi, vmax=np.pi, interpolation="nearest")
        image.set_gid(f"angle_{name}")
        ax.set_title(title, fontsize=8)
        ax.set_xlabel(f"position − m (m = {m:,})", fontsize=8)
        ax.set_xticks([0, WINDOW // 2, WINDOW])
        ax.tick_params(labelsize=7)
    axes[0].set_ylabel("pair i (dims i and i + 256)", fontsize=8)
    axes[1].set_yticklabels([])
    line = axes[1].axhline(n_rot - 0.5, color="tab:red", lw=1.0, ls="--")
    line.set_gid("n_rot_line")
    axes[1].text(WINDOW / 2, min(n_rot + 6, half - 14), f"pairs ≥ {n_rot}: angle 0", fontsize=7,
                 ha="center", va="bottom", color="tab:red")
    bar = fig.colorbar(image, cax=fig.add_axes([0.535, 0.15, 0.012, 0.75]), ticks=[-np.pi, 0, np.pi])
    bar.ax.set_yticklabels(["−π", "0", "π"], fontsize=7)
    bar.set_label("angle turned (wrapped)", fontsize=7)

    s_default = _scores(apply_rope, inv_default, v, m)
    s_prop = _scores(apply_rope, inv_prop, v, m)
    drift = max(np.max(np.abs(s_default - _scores(apply_rope, inv_default, v, 0))),
                np.max(np.abs(s_prop - _scores(apply_rope, inv_prop, v, 0)))) if m else 0.0
    share = float(np.sum(v[:half][inv_prop == 0] ** 2 + v[half:][inv_prop == 0] ** 2)) if inv_prop.size == half else 0.0
    ax = axes[2]
    x = np.maximum(DISTANCES, 0.5)                                           # distance 0 drawn at 0.5
    ax.semilogx(x, s_default, color="0.5", lw=1.2, label="default")[0].set_gid("score_default")
    ax.semilogx(x, s_prop, color="tab:blue", lw=1.2, label=f"proportional p = {p:.2f}")[0].set_gid("score_proportional")
    ax.axhline(share, color="tab:blue", ls=":", lw=0.9, label="|q|² in pairs with ω = 0")
    ax.axhline(0, color="0.8", lw=0.6)
    ax.set_ylim(min(-0.05, float(min(s_default.min(), s_prop.min())) - 0.05), 1.05)
    ax.set_xlabel("distance (query − key position)", fontsize=8)
    ax.set_title("q·k, same content (|q| = 1)", fontsize=8)
    ax.tick_params(labelsize=7)
    ax.legend(fontsize=7, loc="lower left", frameon=False)

    slowest = 2 * np.pi / inv_prop[n_rot - 1] if n_rot else float("inf")
    readout = (f"p = {p:.2f}: {n_rot} of {half} pairs rotate (dims 0–{n_rot - 1} and {half}–{half + n_rot - 1}), "
               f"slowest period {slowest:,.0f} tokens. At distance {DISTANCES[-1]:,}: q·k = {s_default[-1]:.3f} "
               f"(default), {s_prop[-1]:.3f} (proportional; position-free share {share:.3f}). "
               + (f"Key at m = {m:,} instead of 0 changes the scores by {drift:.1e}." if m else
                  "Move m: the scores depend on the distance only."))
    return fig, readout


def make_rope_explorer(rope_inv_freq: Callable, apply_rope: Callable, seed: int = 0) -> Explorer:
    """Explorer with sliders ``p`` (0.05 ... 1) and ``m`` (first position shown, 0 ... 131 072)."""
    controls = {
        "p": widgets.FloatSlider(value=0.25, min=0.05, max=1.0, step=0.05, description="p",
                                 continuous_update=False),
        "m": widgets.IntSlider(value=0, min=0, max=131072, step=128, description="m", continuous_update=False),
    }
    return Explorer(lambda **v: draw_rope_map(rope_inv_freq=rope_inv_freq, apply_rope=apply_rope, seed=seed, **v),
                    controls, title="Proportional RoPE: which pairs turn, and what the score keeps")

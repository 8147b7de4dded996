"""Small explorers for RoPE as rotations of frequency pairs (TriAttention problems 284 and 285).

* :func:`make_rotation_explorer` (284): one vector's frequency pairs drawn as arrows that rotate
  with the position t; fast pairs spin, slow pairs barely move.
* :func:`make_identity_explorer` (285): the RoPE logit of two fixed vectors against distance,
  computed directly from rotated vectors and from the per-pair cosine series, with the pair
  terms of one chosen distance.

Both take the student's functions as arguments and only plot what those return.
"""
from __future__ import annotations

from typing import Callable

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np

from mlpapers.widgetkit import Explorer

__all__ = ["EXAMPLE_VECTOR", "draw_rotation", "make_rotation_explorer", "draw_identity",
           "make_identity_explorer"]

#: a fixed 16-dimensional example vector (8 frequency pairs)
EXAMPLE_VECTOR = np.array([1.0, -0.5, 0.8, 0.3, -1.0, 0.6, 0.9, -0.7,
                           0.2, 1.1, -0.4, 0.9, 0.5, -0.8, 0.3, 0.6])


def draw_rotation(*, apply_rope: Callable, to_complex_pairs: Callable, t: int = 0, base: float = 10000.0,
                  trail: bool = True):
    """Arrows of the 8 pairs of :data:`EXAMPLE_VECTOR` at position ``t``; returns ``(figure, readout)``."""
    x = EXAMPLE_VECTOR
    d = x.shape[0]
    F = d // 2
    period = 2 * np.pi / (float(base) ** (-2.0 * np.arange(F) / d))
    z = np.asarray(to_complex_pairs(np.asarray(apply_rope(x, float(t), float(base)))))      # (F,)
    past = np.asarray(to_complex_pairs(np.asarray(apply_rope(x, np.arange(int(t) + 1.0), float(base)))))
    fig, axes = plt.subplots(2, 4, figsize=(6.4, 3.6))
    for f, ax in enumerate(axes.flat):
        r = max(np.abs(past[:, f]).max(), 1e-9) * 1.15
        ax.add_patch(plt.Circle((0, 0), np.abs(z[f]), fill=False, color="0.85", lw=0.8))
        if trail and past.shape[0] > 1:
            ax.plot(past[:, f].real, past[:, f].imag, ".", ms=2, color="0.6")
        ax.annotate("", xy=(z[f].real, z[f].imag), xytext=(0, 0),
                    arrowprops=dict(arrowstyle="->", color="tab:blue", lw=1.5))
        ax.set_xlim(-r, r)
        ax.set_ylim(-r, r)
        ax.set_aspect("equal")
        ax.set_xticks([])
        ax.set_yticks([])
        label = f"{period[f]:.1f}" if period[f] < 1e3 else f"{period[f]:.1e}"
        ax.set_title(f"pair {f}\nperiod {label}", fontsize=7)
    fig.suptitle(f"RoPE at position t = {int(t)}", fontsize=9)
    fig.subplots_adjust(left=0.02, right=0.98, bottom=0.02, top=0.82, wspace=0.15, hspace=0.45)
    angles = np.angle(z) - np.angle(np.asarray(to_complex_pairs(x)))
    readout = (f"t = {int(t)}: pair 0 turned by {np.mod(angles[0], 2 * np.pi):.3f} rad, "
               f"pair {F - 1} by {np.mod(angles[-1], 2 * np.pi):.2e} rad; "
               f"norms {'unchanged' if np.allclose(np.abs(z), np.abs(to_complex_pairs(x))) else 'CHANGED'}")
    return fig, readout


def make_rotation_explorer(apply_rope: Callable, to_complex_pairs: Callable) -> Explorer:
    """Explorer with a position slider ``t`` (0 ... 64) and a ``base`` dropdown."""
    controls = {
        "t": widgets.IntSlider(value=3, min=0, max=64, description="t", continuous_update=False),
        "base": widgets.Dropdown(options=[("10 000", 10000.0), ("100", 100.0)], value=10000.0,
                                 description="base"),
    }
    return Explorer(lambda **v: draw_rotation(apply_rope=apply_rope, to_complex_pairs=to_complex_pairs, **v),
                    controls, title="RoPE rotates each frequency pair")


def draw_identity(*, apply_rope: Callable, trig_logit: Callable, q, k, distance: int = 4,
                  max_distance: int = 64, base: float = 10000.0):
    """Logit against distance: direct RoPE dot products (dots) and the cosine series (line).

    Right panel: the per-pair terms at ``distance`` as bars. Returns ``(figure, readout)``.
    """
    q = np.asarray(q, dtype=float)
    k = np.asarray(k, dtype=float)
    base = float(base)
    dist = np.arange(int(max_distance) + 1, dtype=np.float64)
    m = float(max_distance) + 10.0                               # query position of the direct check
    direct = np.array([np.dot(apply_rope(q, m, base), apply_rope(k, m - D, base)) for D in dist])
    series = np.asarray(trig_logit(q, k, dist, base), dtype=float)
    terms = np.asarray(trig_logit(q, k, float(distance), base, per_pair=True), dtype=float)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(6.4, 2.9), gridspec_kw={"width_ratios": [2, 1]})
    ax1.plot(dist, series, color="tab:red", lw=1.5, label="Σ_f A_f cos(ω_f Δ + φ_f)")
    ax1.plot(dist, direct, "o", ms=2.5, color="black", label="RoPE(q, m)·RoPE(k, m−Δ)")
    ax1.axvline(distance, color="0.6", ls="--", lw=0.8)
    ax1.set_xlabel("distance Δ")
    ax1.set_ylabel("logit")
    ax1.legend(fontsize=6)
    ax2.bar(np.arange(terms.shape[-1]), terms, color="tab:blue")
    ax2.axhline(0, color="0.5", lw=0.6)
    ax2.set_xlabel("pair f")
    ax2.set_title(f"terms at Δ = {int(distance)}", fontsize=8)
    fig.subplots_adjust(left=0.1, right=0.98, bottom=0.16, top=0.9, wspace=0.3)
    gap = float(np.max(np.abs(direct - series)))
    readout = (f"Δ = {int(distance)}: series {series[int(distance)] if distance <= max_distance else float(terms.sum()):.6f}, "
               f"sum of pair terms {float(terms.sum()):.6f}; largest |direct − series| over 0…{int(max_distance)}: {gap:.2e}")
    return fig, readout


def make_identity_explorer(apply_rope: Callable, trig_logit: Callable, q, k) -> Explorer:
    """Explorer with sliders ``distance`` (0 ... 64) and ``base``."""
    controls = {
        "distance": widgets.IntSlider(value=4, min=0, max=64, description="Δ", continuous_update=False),
        "base": widgets.Dropdown(options=[("10 000", 10000.0), ("100", 100.0), ("10", 10.0)], value=10000.0,
                                 description="base"),
    }
    return Explorer(lambda **v: draw_identity(apply_rope=apply_rope, trig_logit=trig_logit, q=q, k=k, **v),
                    controls, title="The RoPE attention identity")

"""Explorer of problem 361: the spectrum of Newton-Schulz iterates (DeepSeek-V4 §2.4, Muon).

Newton-Schulz maps every normalised singular value x0 of a gradient through the same scalar
polynomial p_k o ... o p_1. The explorer shows, for a step k and a schedule (V4's 8 + 2 hybrid,
Keller Jordan's 5 quintic steps, or the plain cubic iteration),

* left: the composed scalar maps after steps 1 .. k on a log-x axis x0 in [1e-6, 1], with the
  normalised singular values of a fixed ill-conditioned 64 x 32 matrix as a rug;
* right: a histogram of the singular values of the matrix iterate X_k, with the values the
  scalar map predicts for them marked on top.

Both panels come from the student's ``ns_scalar_map`` and ``newton_schulz``; the widget adds
only the normalisation of step 0 and an SVD to read the spectrum. Leaves out: momentum and the
update scaling of ``muon_update`` (the schedule alone decides the spectrum).
"""
from __future__ import annotations

from typing import Callable

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np

from mlpapers.widgetkit import Explorer

__all__ = ["SCHEDULES", "ill_conditioned", "draw_spectrum", "make_spectrum_explorer"]

_QUINTIC = (3.4445, -4.7750, 2.0315)
_STABILISE = (2.0, -1.5, 0.5)
_CUBIC = (1.5, -0.5, 0.0)

#: schedule name -> list of (a, b, c) triples, in the order the dropdown shows them
SCHEDULES = {
    "V4 hybrid (8 quintic + 2 stabilising)": [_QUINTIC] * 8 + [_STABILISE] * 2,
    "Keller (5 quintic)": [_QUINTIC] * 5,
    "cubic (1.5, -0.5, 0) x 10": [_CUBIC] * 10,
}


def ill_conditioned(rows: int = 64, cols: int = 32, decades: float = 5.0, seed: int = 0) -> np.ndarray:
    """A random rows x cols matrix whose singular values are spaced evenly from 1 down to 10**-decades.

    Example: ``np.linalg.svd(ill_conditioned(), compute_uv=False)[[0, -1]]`` -> ``[1.0, 1e-05]``.
    """
    rng = np.random.default_rng(seed)
    k = min(rows, cols)
    U, _ = np.linalg.qr(rng.standard_normal((rows, k)))           # (rows, k), orthonormal columns
    V, _ = np.linalg.qr(rng.standard_normal((cols, k)))           # (cols, k)
    return U @ np.diag(np.logspace(0.0, -decades, k)) @ V.T


def draw_spectrum(*, newton_schulz: Callable, ns_scalar_map: Callable, G: np.ndarray,
                  schedule: str = "V4 hybrid (8 quintic + 2 stabilising)", k: int = 10, eps: float = 1e-7):
    """Scalar maps after steps 1..k (left) and the spectrum of X_k (right); returns ``(figure, readout)``."""
    steps = SCHEDULES[schedule]
    k_used = min(int(k), len(steps))
    G = np.asarray(G, dtype=np.float64)
    x0_matrix = np.linalg.svd(G, compute_uv=False) / (np.linalg.norm(G) + eps)   # normalised spectrum
    if k_used == 0:
        X = G / (np.linalg.norm(G) + eps)                         # step 0: the normalisation only
        predicted = x0_matrix
    else:
        X = np.asarray(newton_schulz(G, steps[:k_used], eps), dtype=np.float64)
        predicted = np.asarray(ns_scalar_map(x0_matrix, steps[:k_used]), dtype=np.float64)
    sv = np.sort(np.linalg.svd(X, compute_uv=False))[::-1]

    x = np.logspace(-6, 0, 600)
    fig, (ax, hx) = plt.subplots(1, 2, figsize=(7.6, 3.2), gridspec_kw={"width_ratios": [1.5, 1]})
    ax.axhline(1.0, color="0.6", lw=0.8, ls=":")
    for j in range(1, k_used + 1):
        y = np.asarray(ns_scalar_map(x, steps[:j]), dtype=np.float64)
        last = j == k_used
        ax.plot(x, y, color="tab:blue" if last else "0.75", lw=1.8 if last else 0.8,
                gid="map_current" if last else f"map_step_{j}", zorder=3 if last else 2)
    if k_used == 0:
        ax.plot(x, x, color="tab:blue", lw=1.8, gid="map_current")
    ax.plot(x0_matrix, np.zeros_like(x0_matrix), "|", color="tab:red", ms=10, gid="rug",
            label="this matrix's $x_0$")
    ax.set_xscale("log")
    ax.set_xlim(1e-6, 1)
    ax.set_ylim(0, 1.5)
    ax.set_xlabel(r"normalised singular value $x_0$")
    ax.set_ylabel(r"$p_k\circ\cdots\circ p_1(x_0)$")
    ax.set_title(f"scalar map after k = {k_used} of {len(steps)} steps", fontsize=9)
    ax.legend(fontsize=7, loc="upper left")

    bins = np.linspace(0.0, 1.5, 31)
    hx.hist(np.clip(sv, 0.0, 1.5), bins=bins, color="tab:blue", alpha=0.8, gid="spectrum")
    hx.plot(np.clip(predicted, 0.0, 1.5), np.full(predicted.shape, -0.6), "v", color="tab:red", ms=4,
            gid="predicted", label="scalar map's prediction")
    hx.axvline(1.0, color="0.6", lw=0.8, ls=":")
    hx.set_xlim(0, 1.5)
    hx.set_ylim(-1.5, len(sv) + 1)
    hx.set_xlabel(r"singular values of $X_k$")
    hx.set_ylabel("count (64 x 32: 32 values)" if G.shape == (64, 32) else "count")
    hx.set_title("spectrum of the matrix iterate", fontsize=9)
    hx.legend(fontsize=7, loc="upper left")
    fig.suptitle(schedule, fontsize=10)
    fig.subplots_adjust(left=0.08, right=0.98, bottom=0.16, top=0.84, wspace=0.3)

    gap = float(np.max(np.abs(np.sort(predicted)[::-1] - sv)))
    near = int(np.sum(np.abs(sv - 1.0) <= 1e-2))
    readout = (f"{schedule}, k = {k_used}: singular values of X_k in [{sv.min():.4g}, {sv.max():.6g}]; "
               f"{near} of {sv.size} within 1e-2 of 1; largest gap to the scalar map's prediction {gap:.1e}")
    return fig, readout


def make_spectrum_explorer(newton_schulz: Callable, ns_scalar_map: Callable, G=None) -> Explorer:
    """Explorer with a step slider ``k`` (0 ... 10) and a ``schedule`` dropdown (V4 / Keller / cubic)."""
    G = ill_conditioned() if G is None else np.asarray(G, dtype=np.float64)
    controls = {
        "k": widgets.IntSlider(value=10, min=0, max=10, description="step k", continuous_update=False),
        "schedule": widgets.Dropdown(options=list(SCHEDULES), value=next(iter(SCHEDULES)),
                                     description="schedule", layout=widgets.Layout(width="420px")),
    }
    return Explorer(lambda **v: draw_spectrum(newton_schulz=newton_schulz, ns_scalar_map=ns_scalar_map, G=G, **v),
                    controls, title="Spectrum of Newton-Schulz iterates")

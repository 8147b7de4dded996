"""Explorer for problem 182: RMSNorm with Gemma 4's scale ``w`` against Gemma 3's ``1 + w``.

:func:`make_rmsnorm_explorer` draws a fixed 8-dimensional vector (scaled by a control) before and
after the student's ``rms_norm`` with a weight vector of ones whose selected entry is set by a
slider. The same stored weights read the Gemma 1-3 way, ``rms_norm(x, 1 + w)``, are overlaid as
outlines. A second panel shows the RMS of the scale-free output against ``eps`` (log scale): the
student's values as dots, the closed form ``sqrt(ms / (ms + eps))`` as a line.

Every output comes from the function passed in; the module holds no normalisation of its own.
"""
from __future__ import annotations

from typing import Callable

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np

from mlpapers.widgetkit import Explorer

__all__ = ["EXAMPLE_VECTOR", "EPS_GRID", "draw_rmsnorm", "make_rmsnorm_explorer"]

#: a fixed 8-dimensional example vector with RMS exactly 1 (its squares sum to 8)
EXAMPLE_VECTOR = np.array([1.5, -0.5, 0.75, 1.25, -1.75, 0.25, 0.0, -0.5])

#: the eps values of the right panel, 1e-8 ... 1e2
EPS_GRID = np.logspace(-8.0, 2.0, 41)


def draw_rmsnorm(*, rms_norm: Callable, entry: int = 0, weight: float = 1.0, eps: float = 1e-6,
                 scale: float = 1.0):
    """Bars of ``x = scale * EXAMPLE_VECTOR``, ``rms_norm(x, w, eps)`` and ``rms_norm(x, 1 + w, eps)``.

    Args:
        rms_norm: the student's ``rms_norm(x, weight=None, eps=1e-6)``.
        entry: which entry of the weight vector ``w`` (all ones otherwise) the slider sets.
        weight: the value of ``w[entry]``.
        eps: the epsilon inside the square root.
        scale: multiplies the example vector (its RMS is ``scale``).

    Returns:
        ``(figure, readout)``.
    """
    entry, weight, eps, scale = int(entry), float(weight), float(eps), float(scale)
    x = scale * EXAMPLE_VECTOR                                         # (D,)
    D = x.shape[0]
    w = np.ones(D)
    w[entry] = weight
    gemma4 = np.asarray(rms_norm(x, w, eps), dtype=float)              # the stored w is the scale
    gemma3 = np.asarray(rms_norm(x, 1.0 + w, eps), dtype=float)        # same numbers read as 1 + w
    plain = np.asarray(rms_norm(x, None, eps), dtype=float)
    curve = np.array([np.sqrt(np.mean(np.asarray(rms_norm(x, None, e), dtype=float) ** 2)) for e in EPS_GRID])
    ms = float(np.mean(x ** 2))
    closed = np.sqrt(ms / (ms + EPS_GRID))

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(7.2, 3.1), gridspec_kw={"width_ratios": [1.6, 1]})
    i = np.arange(D)
    ax1.axvspan(entry - 0.5, entry + 0.5, color="gold", alpha=0.25, lw=0, gid="selected_entry")
    ax1.bar(i - 0.2, x, width=0.4, color="0.7", label="input x", gid="input")
    ax1.bar(i + 0.2, gemma4, width=0.4, color="tab:blue", label="Gemma 4: × w", gid="gemma4")
    ax1.bar(i + 0.2, gemma3, width=0.4, fill=False, edgecolor="tab:orange", lw=1.2, ls="--",
            label="same w read as 1 + w (Gemma 3)", gid="gemma3")
    ax1.axhline(0, color="0.4", lw=0.6)
    ax1.set_xticks(i)
    ax1.set_xlabel("entry i")
    ax1.set_ylabel("value")
    ax1.set_title(f"w[{entry}] = {weight:.2f}, other w = 1, eps = {eps:.0e}", fontsize=8)
    ax1.legend(fontsize=6, loc="upper right")

    ax2.semilogx(EPS_GRID, closed, color="0.6", lw=1.5, label="√(ms / (ms + eps))", gid="closed_form")
    ax2.semilogx(EPS_GRID, curve, "o", ms=2.5, color="tab:blue", label="RMS of your output", gid="rms_curve")
    ax2.axvline(ms, color="0.5", ls=":", lw=0.8, gid="mean_square")
    ax2.plot([eps], [np.sqrt(np.mean(plain ** 2))], "*", ms=10, color="tab:red", gid="eps_marker")
    ax2.set_ylim(-0.05, 1.1)
    ax2.set_xlabel("eps (dotted: eps = mean(x²))")
    ax2.set_ylabel("RMS of rms_norm(x)")
    ax2.set_title("eps only matters near mean(x²)", fontsize=8)
    ax2.legend(fontsize=6, loc="lower left")
    fig.subplots_adjust(left=0.08, right=0.98, bottom=0.16, top=0.9, wspace=0.3)

    rms_out = float(np.sqrt(np.mean(plain ** 2)))
    readout = (f"x = {scale:g} * example: RMS(x) = {np.sqrt(ms):.4g}, eps = {eps:.1e}\n"
               f"w[{entry}] = {weight:.2f}: Gemma 4 output[{entry}] = {gemma4[entry]:.4f}, "
               f"Gemma 3 reading (1 + w) = {gemma3[entry]:.4f}\n"
               f"RMS of rms_norm(x) without weight: {rms_out:.6f} "
               f"(closed form {np.sqrt(ms / (ms + eps)):.6f})")
    return fig, readout


def make_rmsnorm_explorer(rms_norm: Callable) -> Explorer:
    """Explorer with controls ``entry`` (0 ... 7), ``weight`` (-1 ... 3), ``eps`` and ``scale`` (log sliders)."""
    controls = {
        "entry": widgets.IntSlider(value=0, min=0, max=EXAMPLE_VECTOR.size - 1, description="entry",
                                   continuous_update=False),
        "weight": widgets.FloatSlider(value=1.0, min=-1.0, max=3.0, step=0.05, description="w[entry]",
                                      continuous_update=False),
        "eps": widgets.FloatLogSlider(value=1e-6, base=10, min=-8, max=2, step=0.25, description="eps",
                                      readout_format=".0e", continuous_update=False),
        "scale": widgets.FloatLogSlider(value=1.0, base=10, min=-4, max=2, step=0.25, description="x scale",
                                        readout_format=".0e", continuous_update=False),
    }
    return Explorer(lambda **v: draw_rmsnorm(rms_norm=rms_norm, **v), controls,
                    title="RMSNorm: Gemma 4's w against Gemma 3's 1 + w")

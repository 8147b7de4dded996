"""Figure of problem 361 (Newton-Schulz and the V4 Muon update), shown before the task.

``361_scalar_maps.png``: what Newton-Schulz does to one normalised singular value x0, i.e. the
composed scalar map p_k o ... o p_1, for Keller Jordan's 5 quintic steps and for DeepSeek-V4's
hybrid schedule (8 quintic + 2 stabilising steps), on a log-x axis. The map itself is a graded
answer of the problem, so it is taken from the instructor's module through
``mlpapers.figures.reference("deepseek_v4")`` when the figure is rendered, never computed here.
"""
from __future__ import annotations

import numpy as np

#: Keller Jordan's quintic coefficients (a, b, c) and V4's stabilising triple (V4 §2.4)
_QUINTIC = (3.4445, -4.7750, 2.0315)
_STABILISE = (2.0, -1.5, 0.5)


def scalar_maps():
    """361: p_k o ... o p_1 (x0) for Keller's 5-step schedule and V4's 8 + 2 hybrid schedule."""
    from mlpapers.figures import reference
    import matplotlib.pyplot as plt
    ref = reference("deepseek_v4")
    x = np.logspace(-6, 0, 1200)
    keller = ref.ns_scalar_map(x, [_QUINTIC] * 5)
    quintic8 = ref.ns_scalar_map(x, [_QUINTIC] * 8)
    v4 = ref.ns_scalar_map(x, [_QUINTIC] * 8 + [_STABILISE] * 2)
    fig, (ax, zoom) = plt.subplots(1, 2, figsize=(7.6, 3.3), gridspec_kw={"width_ratios": [1.6, 1]})
    for a in (ax, zoom):
        a.axhline(1.0, color="0.6", lw=0.8, ls=":")
        a.set_xscale("log")
    ax.set_xlabel(r"normalised singular value $x_0 = \sigma_i/(\|G\|_F+\varepsilon)$")
    zoom.set_xlabel(r"$x_0$")
    ax.axhspan(0.68, 1.21, color="tab:orange", alpha=0.12, lw=0)
    ax.text(1.4e-6, 1.19, "Keller's band\n0.68 to 1.21", color="tab:orange", fontsize=7, va="top")
    ax.plot(x, keller, color="tab:orange", lw=1.6, label="Keller: 5 quintic steps")
    ax.plot(x, quintic8, color="tab:blue", lw=0.9, ls="--", label="V4 after its 8 quintic steps")
    ax.plot(x, v4, color="tab:blue", lw=1.8, label="V4: 8 quintic + 2 stabilising")
    ax.set_ylim(0, 1.45)
    ax.set_xlim(1e-6, 1)
    ax.set_ylabel(r"after NS: $p_k\circ\cdots\circ p_1(x_0)$")
    ax.legend(fontsize=7, loc="lower right")
    ax.set_title("whole range", fontsize=9)
    # Zoom on the values that matter for an update: x0 >= 1e-3.
    m = x >= 1e-3
    zoom.plot(x[m], v4[m], color="tab:blue", lw=1.8)
    zoom.set_ylim(0.9998, 1.0011)
    zoom.set_xlim(1e-3, 1)
    zoom.ticklabel_format(axis="y", useOffset=False)
    zoom.set_title(r"V4 zoomed: $x_0 \geq 10^{-3}$", fontsize=9)
    zoom.text(1.2e-3, 1.00105, "every value lands in [1, 1.00054];\nKeller's curve swings from\n0.68 to 1.2 here (off scale)",
              fontsize=7, color="0.25", va="top")
    fig.suptitle("Newton-Schulz acts on each singular value through one scalar polynomial map", fontsize=10)
    fig.subplots_adjust(left=0.09, right=0.98, bottom=0.16, top=0.85, wspace=0.32)
    return fig


FIGURES = {
    "361_scalar_maps.png": scalar_maps,
}

"""Figures of problem 369 (the mHC residual stream), shown in its Background before the task.

* ``369_residual_site.png``: one mHC residual site with n = 4 streams (V4 report section 2.2):
  the streams are read through A (sigmoid weights), the sub-layer F runs at width d, its output is
  written back through C (2 sigmoid weights) and the streams are mixed by the doubly-stochastic B.
* ``369_gain_vs_depth.png``: forward gain of the composite residual map against depth for
  unconstrained matrices I + 0.3 N(0, 1) and for their Sinkhorn projections.

The gains are the instructor's ``gain_curve`` and ``sinkhorn_knopp``, loaded through
``mlpapers.figures.reference("deepseek_v4")`` when the figure is rendered; nothing here computes them.
"""
from __future__ import annotations

import numpy as np

N_STREAMS = 4
COLOURS = ("#3182bd", "#31a354", "#e6550d", "#756bb1")


def residual_site():
    """369: the n-stream residual site X_{l+1} = B_l X_l + C_l F_l(A_l X_l), drawn for n = 4."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    fig, ax = plt.subplots(figsize=(6.4, 3.0))
    ys = np.array([0.0, 0.6, 1.2, 1.8])                          # stream rows, stream 1 at the top
    ys = ys[::-1]
    x_in, x_B0, x_B1, x_out = 0.0, 5.2, 6.6, 9.4
    for i, y in enumerate(ys):
        ax.plot([x_in, x_B0], [y, y], color=COLOURS[i], lw=2)
        ax.plot([x_B1, x_out], [y, y], color=COLOURS[i], lw=2)
        ax.text(x_in - 0.1, y, f"stream {i + 1}", ha="right", va="center", fontsize=8, color=COLOURS[i])
        ax.annotate("", xy=(x_out + 0.25, y), xytext=(x_out, y),
                    arrowprops=dict(arrowstyle="-|>", color=COLOURS[i], lw=1.5))
    ax.text(x_in + 0.1, ys[0] + 0.35, "$X_l$  (n × d)", fontsize=9, ha="left")
    ax.text(x_out, ys[0] + 0.35, "$X_{l+1}$", fontsize=9, ha="right")
    # B: the stream mixer
    ax.add_patch(FancyBboxPatch((x_B0, ys[-1] - 0.25), x_B1 - x_B0, ys[0] - ys[-1] + 0.5,
                                boxstyle="round,pad=0.02", facecolor="#f0f0f0", edgecolor="0.3"))
    ax.text((x_B0 + x_B1) / 2, (ys[0] + ys[-1]) / 2, "$B_l$\n4 × 4\nrows and\ncolumns\nsum to 1",
            ha="center", va="center", fontsize=7.5)
    # A: read the streams, F, C: write back
    y_f, x_A, x_F, x_C, w_F = -1.35, 1.6, 2.9, 8.0, 4.4
    for i, y in enumerate(ys):
        ax.add_patch(FancyArrowPatch((1.0, y), (x_A, y_f + 0.25), arrowstyle="-|>", mutation_scale=8,
                                     color=COLOURS[i], lw=0.9, alpha=0.8))
        ax.add_patch(FancyArrowPatch((x_C, y_f + 0.25), (x_C + 0.5, y), arrowstyle="-|>", mutation_scale=8,
                                     color=COLOURS[i], lw=0.9, alpha=0.8))
    ax.text(x_A - 0.35, y_f + 0.1, "$A_l$: weights\n$\\sigma(\\cdot)\\in(0,1)$", fontsize=7.5, ha="right",
            va="center")
    ax.add_patch(FancyBboxPatch((x_F, y_f - 0.3), w_F, 0.6, boxstyle="round,pad=0.02",
                                facecolor="#fff5eb", edgecolor="#e6550d"))
    ax.text(x_F + w_F / 2, y_f, "$\\mathcal{F}_l$: attention or MoE, width d", ha="center", va="center", fontsize=8)
    ax.annotate("", xy=(x_F, y_f), xytext=(x_A, y_f + 0.2), arrowprops=dict(arrowstyle="-|>", color="0.3"))
    ax.annotate("", xy=(x_C, y_f + 0.2), xytext=(x_F + w_F, y_f), arrowprops=dict(arrowstyle="-|>", color="0.3"))
    ax.text(x_A + 0.2, y_f - 0.45, "$A_l X_l$ (d)", fontsize=7.5, ha="left")
    ax.text(x_C + 0.3, y_f - 0.05, "$C_l$: weights\n$2\\sigma(\\cdot)\\in(0,2)$", fontsize=7.5, ha="left",
            va="center")
    ax.set_xlim(-1.6, 10.6)
    ax.set_ylim(-1.95, 2.35)
    ax.axis("off")
    ax.set_title("One mHC residual site: $X_{l+1} = B_l X_l + C_l\\,\\mathcal{F}_l(A_l X_l)$", fontsize=10)
    fig.subplots_adjust(left=0.01, right=0.99, bottom=0.01, top=0.9)
    return fig


def gain_vs_depth():
    """369: forward and backward gain of B_l ... B_0 against depth l, HC (I + 0.3 N) vs mHC (Sinkhorn)."""
    import matplotlib.pyplot as plt

    from mlpapers.figures import reference

    ref = reference("deepseek_v4")
    R = np.eye(N_STREAMS) + 0.3 * np.random.default_rng(0).standard_normal((60, N_STREAMS, N_STREAMS))
    hc = ref.gain_curve(R)
    mhc = ref.gain_curve(ref.sinkhorn_knopp(R, 20))
    depth = np.arange(1, 61)
    fig, ax = plt.subplots(figsize=(6.0, 3.2))
    ax.semilogy(depth, hc[:, 0], color="tab:red", lw=1.8, label="HC, forward (max row sum)")
    ax.semilogy(depth, hc[:, 1], color="tab:red", lw=1.2, ls="--", label="HC, backward (max column sum)")
    ax.semilogy(depth, mhc[:, 0], color="tab:blue", lw=1.8, label="mHC, forward and backward")
    ax.annotate(f"{hc[-1, 0]:.0f}", xy=(60, hc[-1, 0]), xytext=(52, hc[-1, 0] * 2.2), fontsize=8,
                color="tab:red", arrowprops=dict(arrowstyle="-", color="tab:red", lw=0.6))
    ax.annotate("1.0 at every depth", xy=(60, 1.0), xytext=(38, 2.2), fontsize=8, color="tab:blue",
                arrowprops=dict(arrowstyle="-", color="tab:blue", lw=0.6))
    ax.set_xlabel("depth l (number of residual matrices multiplied)", fontsize=8)
    ax.set_ylabel("gain of the product of l matrices", fontsize=8)
    ax.set_xlim(0, 62)
    ax.set_ylim(0.5, 1e4)
    ax.tick_params(labelsize=7)
    ax.legend(fontsize=7, loc="upper left", frameon=False)
    ax.set_title("60 random residual matrices $I + 0.3\\,N(0,1)$, n = 4, before and after Sinkhorn (20 sweeps)",
                 fontsize=8)
    fig.subplots_adjust(left=0.11, right=0.98, bottom=0.14, top=0.9)
    return fig


FIGURES = {
    "369_residual_site.png": residual_site,
    "369_gain_vs_depth.png": gain_vs_depth,
}

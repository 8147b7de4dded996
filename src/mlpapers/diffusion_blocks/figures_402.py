"""Figures of problem 402 (AdaLN-Zero conditioning), shown in its Background before the task.

* ``402_sigma_embedding.png``: the sinusoidal embedding of c_noise = ln(sigma) / 4 as a heat-strip
  over EDM's noise range 0.002 ... 80 (one row per channel, cos rows first), with two channel
  pairs drawn as curves below it. The embedding is a graded answer, so it comes from the
  instructor's module through ``mlpapers.figures.reference("diffusion_blocks")`` at render time.
* ``402_adaln_layer.png``: the data flow of one AdaLN-Zero residual layer (a diagram, no answer).
"""
from __future__ import annotations

import numpy as np

#: EDM's noise range (Karras et al. 2022, Table 1)
SIGMA_MIN, SIGMA_MAX = 0.002, 80.0
#: channels of the embedding drawn in the heat-strip
FIGURE_DIM = 32


def sigma_embedding_strip():
    """402: emb(sigma) for 400 log-spaced sigma in [0.002, 80], dim 32, and channels 0 and 1 as curves."""
    import matplotlib.pyplot as plt
    from mlpapers.figures import reference
    ref = reference("diffusion_blocks")

    edges = np.geomspace(SIGMA_MIN, SIGMA_MAX, 401)
    centres = np.sqrt(edges[:-1] * edges[1:])
    emb = ref.sigma_embedding(centres, FIGURE_DIM)                      # (400, 32)
    half = FIGURE_DIM // 2

    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(7.2, 5.0), sharex=True,
                                   gridspec_kw={"height_ratios": [1.5, 1.0]})
    mesh = ax1.pcolormesh(edges, np.arange(FIGURE_DIM + 1), emb.T, cmap="RdBu_r", vmin=-1, vmax=1)
    ax1.set_xscale("log")
    ax1.invert_yaxis()
    ax1.axhline(half, color="k", lw=0.8)
    ax1.set_yticks([0, 8, 16, 24, 31])
    ax1.set_yticklabels(["0", "8", "16 (sin 0)", "24", "31"], fontsize=8)
    ax1.text(0.0023, 1.5, "cos rows 0-15", fontsize=8, va="center", color="k",
             bbox=dict(fc="white", ec="none", alpha=0.8, pad=1.0))
    ax1.text(0.0023, half + 1.5, "sin rows 16-31", fontsize=8, va="center", color="k",
             bbox=dict(fc="white", ec="none", alpha=0.8, pad=1.0))
    ax1.set_ylabel("channel")
    ax1.set_title(r"sigma_embedding($\sigma$, 32): [cos($c_{noise}\,\omega_j$) | sin($c_{noise}\,\omega_j$)],"
                  r"  $c_{noise} = \frac{1}{4}\ln\sigma$", fontsize=9)
    cbar = fig.colorbar(mesh, cax=fig.add_axes([0.915, 0.45, 0.015, 0.49]))
    cbar.ax.tick_params(labelsize=7)

    c = 0.25 * np.log(centres)
    for j, colour in ((0, "tab:blue"), (1, "tab:orange")):
        omega = 10000.0 ** (-j / half)
        ax2.plot(centres, emb[:, j], color=colour, lw=1.4, label=f"cos, $\\omega_{j}$ = {omega:.3g}")
        ax2.plot(centres, emb[:, half + j], color=colour, lw=1.4, ls="--", label=f"sin, $\\omega_{j}$ = {omega:.3g}")
    ax2.plot(centres, c, color="0.4", lw=0.9, ls=":", label=r"$c_{noise}$ itself")
    ax2.axhline(0, color="0.7", lw=0.6)
    ax2.set_xscale("log")
    ax2.set_xlim(SIGMA_MIN, SIGMA_MAX)
    ax2.set_ylim(-1.7, 1.3)
    ax2.set_xlabel(r"noise level $\sigma$ (log scale)")
    ax2.set_ylabel("value")
    ax2.grid(True, lw=0.3, alpha=0.6)
    ax2.legend(fontsize=7, loc="lower right", ncol=3)
    fig.subplots_adjust(left=0.14, right=0.9, bottom=0.1, top=0.94, hspace=0.08)
    return fig


def _box(ax, xy, text, colour="white", width=1.5, height=0.55, fontsize=8):
    from matplotlib.patches import FancyBboxPatch
    x, y = xy
    ax.add_patch(FancyBboxPatch((x - width / 2, y - height / 2), width, height, boxstyle="round,pad=0.04",
                                fc=colour, ec="0.3", lw=0.9))
    ax.text(x, y, text, ha="center", va="center", fontsize=fontsize)


def _arrow(ax, start, end, text="", colour="0.25", offset=(0.0, 0.12), style="-|>"):
    ax.annotate("", xy=end, xytext=start, arrowprops=dict(arrowstyle=style, color=colour, lw=1.0,
                                                          shrinkA=0, shrinkB=0))
    if text:
        ax.text((start[0] + end[0]) / 2 + offset[0], (start[1] + end[1]) / 2 + offset[1], text,
                ha="center", va="bottom", fontsize=7, color=colour)


def adaln_layer_diagram():
    """402: sigma -> embedding -> cond -> (shift, scale, gate); x -> LN -> modulate -> branch -> gate -> + x."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7.6, 3.6))
    ax.set_xlim(0, 12.8)
    ax.set_ylim(0, 5.2)
    ax.axis("off")

    # conditioning path (top row)
    _box(ax, (0.8, 4.4), r"$\sigma$", "#f2f2f2", width=0.9)
    _box(ax, (2.7, 4.4), r"$c_{noise} = \frac{1}{4}\ln\sigma$", "#f2f2f2", width=1.9)
    _box(ax, (5.0, 4.4), "sigma_embedding\n[cos | sin]", "#dbe9f6", width=1.9, height=0.7)
    _box(ax, (7.3, 4.4), "MLP, then SiLU\n(in the network)", "#f2f2f2", width=1.8, height=0.7)
    _box(ax, (9.9, 4.4), r"cond $W + b$" "\n" r"$W, b$ zero at init", "#fde2c8", width=2.2, height=0.7)
    _arrow(ax, (1.25, 4.4), (1.75, 4.4))
    _arrow(ax, (3.65, 4.4), (4.05, 4.4))
    _arrow(ax, (5.95, 4.4), (6.4, 4.4))
    _arrow(ax, (8.2, 4.4), (8.8, 4.4))
    ax.text(8.5, 3.75, "cond\n(N, C)", fontsize=7, ha="center", va="center", color="0.25")
    # split into three chunks
    ax.text(11.3, 4.0, "split in 3,\nin this order:", fontsize=7, ha="left", va="center", color="0.3")
    for k, (name, y) in enumerate((("shift", 3.55), ("scale", 3.1), ("gate", 2.65))):
        ax.text(11.55, y, f"{k}: {name}", fontsize=8, ha="left", va="center", color="tab:orange")
    _arrow(ax, (11.0, 4.05), (11.45, 3.6), colour="tab:orange")

    # residual path (bottom row)
    y = 1.2
    _box(ax, (0.8, y), r"$x$" "\n(N, ..., D)", "#f2f2f2", width=1.1, height=0.7)
    _box(ax, (2.6, y), "LN\n(no affine)", "#dbe9f6", width=1.3, height=0.7)
    _box(ax, (4.7, y), r"$\odot(1+$scale$)$" "\n" r"$+$ shift", "#dbe9f6", width=1.8, height=0.7)
    _box(ax, (6.9, y), "branch\n(MLP / attention)", "#f2f2f2", width=1.8, height=0.7)
    _box(ax, (8.9, y), r"$\odot$ gate", "#dbe9f6", width=1.2, height=0.7)
    ax.add_patch(plt.Circle((10.4, y), 0.25, fc="white", ec="0.3", lw=0.9))
    ax.text(10.4, y, "+", ha="center", va="center", fontsize=11)
    _box(ax, (11.8, y), "layer($x$)", "#f2f2f2", width=1.2, height=0.7)
    _arrow(ax, (1.35, y), (1.95, y))
    _arrow(ax, (3.25, y), (3.8, y))
    _arrow(ax, (5.6, y), (6.0, y))
    _arrow(ax, (7.8, y), (8.3, y))
    _arrow(ax, (9.5, y), (10.15, y))
    _arrow(ax, (10.65, y), (11.2, y))
    # skip path: under the boxes, from x to the sum
    ax.plot([0.8, 0.8, 10.4, 10.4], [y - 0.35, 0.5, 0.5, y - 0.25], color="tab:green", lw=1.2)
    ax.annotate("", xy=(10.4, y - 0.25), xytext=(10.4, 0.6),
                arrowprops=dict(arrowstyle="-|>", color="tab:green", lw=1.2, shrinkA=0, shrinkB=0))
    ax.text(5.6, 0.12, "skip path: at init W = 0 and b = 0, so gate = 0 and layer(x) = x exactly (adaLN-Zero)",
            fontsize=8, color="tab:green", ha="center")
    # modulation wires
    for xe, name in ((4.4, "shift"), (5.0, "scale"), (8.9, "gate")):
        _arrow(ax, (xe, 2.75), (xe, y + 0.4), colour="tab:orange")
        ax.text(xe + 0.08, 2.2, name, fontsize=7, color="tab:orange", rotation=90, va="center")
    ax.plot([4.4, 11.45], [2.75, 2.75], color="tab:orange", lw=1.0)
    fig.subplots_adjust(left=0.01, right=0.99, bottom=0.01, top=0.99)
    return fig


FIGURES = {
    "402_sigma_embedding.png": sigma_embedding_strip,
    "402_adaln_layer.png": adaln_layer_diagram,
}

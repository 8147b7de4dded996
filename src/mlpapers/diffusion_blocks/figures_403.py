"""Figure of problem 403 (noise levels for one block), shown in its Background before the task.

The block ranges and the block sampler are graded answers, so they come from the instructor's module
through ``mlpapers.figures.reference("diffusion_blocks")`` at render time, never from package code.
"""
from __future__ import annotations

import math

import numpy as np

from mlpapers.diffusion_blocks.block_noise_widget import COLOURS, SIGMA_MAX, SIGMA_MIN, draw_block_histograms


def block_draws():
    """403: the inverse-CDF map with B = 3 equal-mass bands and block 1's widened band; 10 000 draws per block."""
    import matplotlib.pyplot as plt
    from mlpapers.figures import reference
    ref = reference("diffusion_blocks")

    B, gamma = 3, 0.05
    b = ref.block_boundaries(B)
    f_min, f_max = (float(v) for v in ref.lognormal_cdf([SIGMA_MIN, SIGMA_MAX]))
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(7.8, 3.5), gridspec_kw={"width_ratios": [1.0, 1.35]})

    # left: sigma = F^-1(u) over the truncated range of u, equal-width bands of u = equal-mass blocks
    u = np.linspace(f_min, f_max, 2001)[1:-1]
    ax1.semilogy(u, ref.lognormal_ppf(u), color="black", lw=1.3)
    for k in range(B):
        lo, hi = ref.block_sigma_range(k, b)
        f_lo, f_hi = ref.lognormal_cdf([lo, hi])
        ax1.axvspan(f_lo, f_hi, color=COLOURS[k], alpha=0.18, lw=0)
        ax1.text((f_lo + f_hi) / 2, 0.0028, f"block {k}", ha="center", fontsize=7, color=COLOURS[k])
    for s in b[1:-1]:
        ax1.axhline(s, color="0.5", lw=0.6, ls=":")
    lo, hi = ref.block_sigma_range(1, b, gamma)
    f_lo, f_hi = ref.lognormal_cdf([lo, hi])
    ax1.plot([f_lo, f_hi], [1.6, 1.6], color=COLOURS[1], lw=2.5, solid_capstyle="butt")
    ax1.text((f_lo + f_hi) / 2, 2.3, f"block 1, γ = {gamma:g}", ha="center", fontsize=7, color=COLOURS[1])
    r = np.random.default_rng(0).random(3)
    for ri, si in zip(r, ref.sample_block_sigmas(1, b, 3, np.random.default_rng(0), gamma)):
        ui = f_lo + (f_hi - f_lo) * ri
        ax1.plot([ui, ui, f_min], [SIGMA_MIN, si, si], color=COLOURS[1], lw=0.8)
        ax1.plot([ui], [si], "o", ms=3, color=COLOURS[1])
    ax1.set_xlim(f_min, f_max)
    ax1.set_ylim(SIGMA_MIN, SIGMA_MAX)
    ax1.set_xlabel(r"$u = F(\sigma)$")
    ax1.set_ylabel(r"$\sigma = F^{-1}(u)$")
    ax1.set_title("inverse CDF: a block is a band of u", fontsize=9)

    # right: 10 000 draws per block, stacked with weight 1/B, against the truncated density
    rng = np.random.default_rng(0)
    draws = [ref.sample_block_sigmas(k, b, 10_000, rng) for k in range(B)]
    ranges = [ref.block_sigma_range(k, b) for k in range(B)]
    draw_block_histograms(ax2, draws, ranges, f_min, f_max)
    ax2.set_title("10,000 draws per block (B = 3, no overlap)", fontsize=9)
    fig.subplots_adjust(left=0.08, right=0.98, bottom=0.14, top=0.91, wspace=0.28)
    return fig


FIGURES = {
    "403_block_draws.png": block_draws,
}

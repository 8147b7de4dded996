"""Figure of problem 405 (sampling through independently trained blocks), shown before the task.

``405_schedule.png``: the EDM training density of ln sigma (log-normal, P_mean = -1.2, P_std = 1.2)
truncated to [0.002, 80], split into B = 3 equal-mass blocks, with the 25 noise levels of the
equal-CDF inference schedule below it, each coloured by the block that takes that step. A second row
shows Karras et al.'s rho = 7 schedule (EDM Eq. 5, the usual EDM sampler) with the same 25 levels for
contrast: it crowds the noisiest block and leaves the middle one two steps.

The schedule, the boundaries and the routing are graded answers (401, 405), so they come from the
instructor's module through ``mlpapers.figures.reference("diffusion_blocks")`` when the figure is
rendered, never from package code.
"""
from __future__ import annotations

import numpy as np

from mlpapers.diffusion_blocks.sampler_widget import BLOCK_COLOURS

NUM_SIGMAS = 25
P_MEAN, P_STD, SIGMA_MIN, SIGMA_MAX = -1.2, 1.2, 0.002, 80.0


def karras_sigmas(n: int, rho: float = 7.0) -> np.ndarray:
    """EDM Eq. 5: (sigma_max^(1/rho) + i/(n-1) (sigma_min^(1/rho) - sigma_max^(1/rho)))^rho, i = 0..n-1."""
    i = np.arange(n) / (n - 1)
    return (SIGMA_MAX ** (1 / rho) + i * (SIGMA_MIN ** (1 / rho) - SIGMA_MAX ** (1 / rho))) ** rho


def schedule():
    """405: the log-normal density with the B = 3 blocks, and the 25-level schedules coloured by block."""
    import matplotlib.pyplot as plt
    from mlpapers.figures import reference
    ref = reference("diffusion_blocks")

    bounds = ref.block_boundaries(3)
    ours = ref.inference_sigmas(NUM_SIGMAS)
    karras = karras_sigmas(NUM_SIGMAS)

    fig, (ax, ax2) = plt.subplots(2, 1, figsize=(7.6, 4.4), sharex=True,
                                  gridspec_kw={"height_ratios": [2.2, 1.0], "hspace": 0.08})
    grid = np.geomspace(SIGMA_MIN, SIGMA_MAX, 600)
    z = (np.log(grid) - P_MEAN) / P_STD
    density = np.exp(-0.5 * z * z) / (P_STD * np.sqrt(2 * np.pi))          # density of ln sigma
    ax.plot(grid, density, color="0.2", lw=1.2)
    B = bounds.size - 1
    for k in range(B):
        lo, hi = bounds[B - 1 - k], bounds[B - k]                          # block 0 = noisiest
        inside = (grid >= lo) & (grid <= hi)
        ax.fill_between(grid[inside], density[inside], color=BLOCK_COLOURS[k], alpha=0.35, lw=0)
        ax.text(np.sqrt(lo * hi), 0.04, f"block {k}\n1/3 of the mass", ha="center", fontsize=8,
                color=BLOCK_COLOURS[k])
    for b in bounds[1:-1]:
        ax.axvline(b, color="0.3", ls="--", lw=0.8)
        ax.text(b, 0.345, f"{b:.4f}", ha="center", fontsize=8, color="0.3")
    ax.set_ylim(0, 0.37)
    ax.set_ylabel("density of ln σ")
    ax.set_title("EDM's training density split into B = 3 equal-mass blocks, and where 25 sampler levels fall",
                 fontsize=9)

    for row, (sigmas, name) in enumerate(((ours, "equal-CDF (this problem)"), (karras, "Karras ρ = 7"))):
        owner = ref.assign_block(sigmas, bounds)
        y = 1 - row
        ax2.scatter(sigmas, np.full(sigmas.size, y), c=[BLOCK_COLOURS[k] for k in owner], s=18, zorder=3)
        counts = np.bincount(owner, minlength=B)
        ax2.text(SIGMA_MIN * 0.9, y + 0.28, f"{name}: levels per block {' / '.join(map(str, counts))}",
                 fontsize=8, va="center")
    for b in bounds[1:-1]:
        ax2.axvline(b, color="0.3", ls="--", lw=0.8)
    ax2.set_xscale("log")
    ax2.set_ylim(-0.5, 1.6)
    ax2.set_yticks([])
    ax2.set_xlim(SIGMA_MIN * 0.8, SIGMA_MAX * 1.25)
    ax2.set_xlabel("noise level σ (log scale); the sampler runs from σ = 80 (right) to 0.002 (left)")
    fig.subplots_adjust(left=0.08, right=0.98, bottom=0.12, top=0.93)
    return fig


FIGURES = {
    "405_schedule.png": schedule,
}

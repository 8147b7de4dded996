"""Explorer for problem 403: training noise levels drawn per block (DiffusionBlocks, EDM p_train).

One panel, computed from the student's functions: for B blocks (401's equal-mass boundaries) the
student's ``sample_block_sigmas`` draws 10 000 noise levels for every block; their histograms on a
log-sigma axis are stacked, each weighted 1 / B, so that without overlap the stack traces the
truncated log-normal density drawn over it. The student's ``block_sigma_range`` gives the widened
range of each block, shown as a bar above the histogram. The readout lists the ranges, each block's
share of the truncated distribution, and the Kolmogorov-Smirnov distance of the pooled draws.

With an overlap the blocks reach into their neighbours' ranges and the pooled draws are no longer
the truncated log-normal: the stack bulges at the boundaries and the KS distance grows. Not covered:
how a trained network uses the overlap (problem 405 trains the toy).
"""
from __future__ import annotations

import math
from typing import Callable

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np

from mlpapers.widgetkit import Explorer

__all__ = ["DRAWS_PER_BLOCK", "OVERLAPS", "BLOCK_COUNTS", "SIGMA_MIN", "SIGMA_MAX", "P_MEAN", "P_STD",
           "log_sigma_density", "ks_distance", "draw_block_histograms", "draw_block_noise",
           "make_block_noise_explorer"]

#: draws per block of the widget (as in the chapter spec)
DRAWS_PER_BLOCK = 10_000
#: overlap values of the slider (fraction of a block's width in ln sigma added on each side)
OVERLAPS = (0.0, 0.02, 0.05, 0.1, 0.2, 0.5)
#: block counts of the slider
BLOCK_COUNTS = (1, 6)
#: EDM training distribution (Karras et al. 2022, Table 1)
SIGMA_MIN, SIGMA_MAX, P_MEAN, P_STD = 0.002, 80.0, -1.2, 1.2
#: one colour per network block (block 0 = noisiest)
COLOURS = ("tab:red", "tab:orange", "tab:olive", "tab:green", "tab:blue", "tab:purple")


def log_sigma_density(log_sigma, total_mass: float, p_mean: float = P_MEAN, p_std: float = P_STD) -> np.ndarray:
    """Density of ln(sigma) when ln(sigma) ~ N(p_mean, p_std^2) is truncated to a range of mass ``total_mass``.

    Example: ``log_sigma_density(-1.2, 1.0)`` -> 0.3324 (= 1 / (1.2 sqrt(2 pi))).
    """
    z = (np.asarray(log_sigma, dtype=float) - p_mean) / p_std
    return np.exp(-0.5 * z * z) / (p_std * math.sqrt(2.0 * math.pi)) / total_mass


def ks_distance(samples, cdf: Callable[[np.ndarray], np.ndarray]) -> float:
    """Kolmogorov-Smirnov distance sup |empirical CDF - cdf| of 1-D samples against a continuous CDF.

    Example: ``ks_distance([0.5], lambda x: x)`` -> 0.5.
    """
    x = np.sort(np.asarray(samples, dtype=float).ravel())
    n = x.size
    G = np.asarray(cdf(x), dtype=float)
    i = np.arange(1, n + 1)
    return float(max(np.max(i / n - G), np.max(G - (i - 1) / n)))


def draw_block_histograms(ax, draws, ranges, f_min: float, f_max: float, *, bins: int = 60,
                          p_mean: float = P_MEAN, p_std: float = P_STD, sigma_min: float = SIGMA_MIN,
                          sigma_max: float = SIGMA_MAX) -> None:
    """Stacked histograms of ln(sigma) per block (each weighted 1/B), the truncated density and the ranges.

    Args:
        ax: matplotlib axes.  draws: list of B 1-D arrays of sigma, network block 0 first.
        ranges: list of B (lo, hi) pairs (the blocks' possibly widened ranges).
        f_min, f_max: the log-normal CDF at sigma_min and sigma_max (their difference is the truncated mass).

    Artists carry gids: ``density`` (the curve), ``block_<k>`` (the bar patches of block k), ``range_<k>``.
    Example: ``draw_block_histograms(ax, [s0, s1], [(0.3, 80), (0.002, 0.3)], F(0.002), F(80))``.
    """
    B = len(draws)
    edges = np.linspace(math.log(sigma_min), math.log(sigma_max), bins + 1)
    logs = [np.log(np.asarray(d, dtype=float)) for d in draws]
    # ascending sigma stacks bottom-up; block B-1 (cleanest) first so colours read left to right
    order = list(range(B - 1, -1, -1))
    width = edges[1] - edges[0]
    weights = [np.full(logs[k].size, 1.0 / (B * logs[k].size * width)) for k in order]
    _, _, patches = ax.hist([logs[k] for k in order], bins=edges, weights=weights, stacked=True,
                            histtype="stepfilled", alpha=0.55, color=[COLOURS[k % len(COLOURS)] for k in order],
                            label=[f"block {k}" for k in order])
    patches = patches if B > 1 else [patches]
    for k, group in zip(order, patches):
        for p in group:
            p.set_gid(f"block_{k}")
    grid = np.linspace(edges[0], edges[-1], 400)
    ax.plot(grid, log_sigma_density(grid, f_max - f_min, p_mean, p_std), color="black", lw=1.3,
            gid="density", label="truncated log-normal")
    top = float(log_sigma_density(p_mean, f_max - f_min, p_mean, p_std))
    for k, (lo, hi) in enumerate(ranges):
        y = top * (1.12 + 0.07 * k)
        ax.plot([math.log(lo), math.log(hi)], [y, y], color=COLOURS[k % len(COLOURS)], lw=3,
                solid_capstyle="butt", gid=f"range_{k}")
    ticks = [0.002, 0.01, 0.1, 1, 10, 80]
    ax.set_xticks([math.log(t) for t in ticks], [f"{t:g}" for t in ticks])
    ax.set_xlim(edges[0], edges[-1])
    ax.set_ylim(0, top * (1.2 + 0.07 * B))
    ax.set_xlabel(r"$\sigma$ (log scale)")
    ax.set_ylabel(r"density of $\ln\sigma$")
    ax.text(edges[-1], top * 1.1, "block ranges ", fontsize=7, ha="right", va="top", color="0.3")
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(0.0, 0.8), frameon=False)


def draw_block_noise(*, sample_block_sigmas: Callable, block_sigma_range: Callable, block_boundaries: Callable,
                     lognormal_cdf: Callable, num_blocks: int = 3, overlap: float = 0.0, seed: int = 0):
    """10 000 draws per block of the student's sampler on 401's boundaries; returns ``(figure, readout)``."""
    B, overlap = int(num_blocks), float(overlap)
    b = np.asarray(block_boundaries(B), dtype=float)
    f_min, f_max = (float(v) for v in np.asarray(lognormal_cdf([SIGMA_MIN, SIGMA_MAX]), dtype=float))
    rng = np.random.default_rng(seed)
    ranges, draws = [], []
    for k in range(B):
        lo, hi = block_sigma_range(k, b, overlap)
        ranges.append((float(lo), float(hi)))
        draws.append(np.asarray(sample_block_sigmas(k, b, DRAWS_PER_BLOCK, rng, overlap), dtype=float))

    fig, ax = plt.subplots(figsize=(7.4, 3.6))
    draw_block_histograms(ax, draws, ranges, f_min, f_max)
    ax.set_title(f"{B} block{'s' * (B != 1)}, overlap γ = {overlap:g}: {DRAWS_PER_BLOCK:,} draws per block",
                 fontsize=9)
    fig.subplots_adjust(left=0.09, right=0.98, bottom=0.14, top=0.91)

    def truncated_cdf(x):
        return (np.asarray(lognormal_cdf(x), dtype=float) - f_min) / (f_max - f_min)

    pooled = ks_distance(np.concatenate(draws), truncated_cdf)
    lines = [f"B = {B}, overlap γ = {overlap:g}, {DRAWS_PER_BLOCK:,} draws per block (seed {seed})"]
    for k, (lo, hi) in enumerate(ranges):
        share = (float(np.asarray(lognormal_cdf([hi]))[0]) - float(np.asarray(lognormal_cdf([lo]))[0])) / (f_max - f_min)
        inside = float(np.mean((draws[k] >= lo * (1 - 1e-9)) & (draws[k] <= hi * (1 + 1e-9))))
        lines.append(f"  block {k}: σ in [{lo:.4g}, {hi:.4g}], {share:6.1%} of p_train, "
                     f"{inside:.0%} of draws inside")
    n = B * DRAWS_PER_BLOCK
    lines.append(f"  pooled {n:,} draws vs truncated log-normal: KS distance {pooled:.4f} "
                 f"(sampling noise alone: about 1/sqrt(n) = {1 / math.sqrt(n):.4f})")
    return fig, "\n".join(lines)


def make_block_noise_explorer(sample_block_sigmas: Callable, block_sigma_range: Callable,
                              block_boundaries: Callable, lognormal_cdf: Callable, seed: int = 0) -> Explorer:
    """Explorer with a block-count slider ``num_blocks`` (1 ... 6) and an ``overlap`` slider.

    Example: ``make_block_noise_explorer(sample_block_sigmas, block_sigma_range, block_boundaries,
    lognormal_cdf).show(interactive)``
    """
    controls = {
        "num_blocks": widgets.IntSlider(value=3, min=BLOCK_COUNTS[0], max=BLOCK_COUNTS[1], description="blocks B",
                                        continuous_update=False),
        "overlap": widgets.SelectionSlider(options=[(f"{x:g}", x) for x in OVERLAPS], value=0.0,
                                           description="overlap γ", continuous_update=False),
    }

    def draw(**values):
        return draw_block_noise(sample_block_sigmas=sample_block_sigmas, block_sigma_range=block_sigma_range,
                                block_boundaries=block_boundaries, lognormal_cdf=lognormal_cdf, seed=seed,
                                **values)

    return Explorer(draw, controls, title="Noise levels per block: inverse-CDF draws on a log-σ axis")

"""Explorer for problem 401: equal-mass block boundaries on EDM's log-normal noise distribution.

Two panels on the same log-sigma axis, both showing the density of ln(sigma) ~ N(P_mean, P_std^2)
(EDM's p_train, Karras et al. 2022, Table 1) truncated to [sigma_min, sigma_max]:

* top: the student's ``block_boundaries(B, p_mean=..., p_std=...)``, each block shaded and labelled
  with the network block index the student's ``assign_block`` gives its middle (block 0 = noisiest)
  and with the share of the truncated mass it holds;
* bottom: the log-uniform (geometric) split of the same range into B blocks, with its masses.

The masses come from the notebook's ``lognormal_cdf``. Not covered: the overlap that widens the
ranges during training (problem 403).
"""
from __future__ import annotations

import math
from typing import Callable

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np

from mlpapers.widgetkit import Explorer

__all__ = ["SIGMA_MIN", "SIGMA_MAX", "MIN_LABEL_DECADES", "BLOCK_COLOURS", "log_uniform_split",
           "log_sigma_density", "block_masses", "draw_partition", "make_boundaries_explorer"]

#: the EDM noise range every problem of the chapter uses
SIGMA_MIN, SIGMA_MAX = 0.002, 80.0
#: a block is labelled in the plot when it spans at least this many decades of sigma
MIN_LABEL_DECADES = 0.35
#: colour of network block k (0 = noisiest) on a warm-to-cool scale; more blocks cycle
BLOCK_COLOURS = ("tab:red", "tab:orange", "tab:olive", "tab:green", "tab:cyan", "tab:blue", "tab:purple",
                 "tab:pink")


def log_uniform_split(num_blocks: int, sigma_min: float = SIGMA_MIN, sigma_max: float = SIGMA_MAX) -> np.ndarray:
    """B + 1 geometrically spaced boundaries: equal width in ln(sigma), the split equal mass replaces.

    Example: ``log_uniform_split(2, 1.0, 100.0)`` -> ``[1, 10, 100]``.
    """
    return np.geomspace(sigma_min, sigma_max, int(num_blocks) + 1)


def log_sigma_density(sigma, p_mean: float, p_std: float) -> np.ndarray:
    """Density of ln(sigma) for ln(sigma) ~ N(p_mean, p_std^2), evaluated at sigma (per unit of ln sigma).

    On a log-sigma axis the area under this curve between two sigmas is the probability between them.
    Example: ``log_sigma_density(math.exp(-1.2), -1.2, 1.2)`` -> ``0.3324...`` (= 1 / (1.2 sqrt(2 pi))).
    """
    z = (np.log(np.asarray(sigma, dtype=float)) - p_mean) / p_std
    return np.exp(-0.5 * z * z) / (p_std * math.sqrt(2.0 * math.pi))


def block_masses(boundaries, lognormal_cdf: Callable, p_mean: float, p_std: float) -> np.ndarray:
    """Share of the truncated mass between consecutive boundaries, ascending sigma order; sums to 1.

    Example: for ``block_boundaries(3)`` the shares are ``[1/3, 1/3, 1/3]``.
    """
    F = np.asarray(lognormal_cdf(np.asarray(boundaries, dtype=float), p_mean, p_std), dtype=float)
    return np.diff(F) / (F[-1] - F[0])


def _shade(ax, edges, masses, labels, p_mean, p_std, prefix):
    """Fill the density between consecutive edges; write each block's label and mass above it."""
    peak = log_sigma_density(math.exp(p_mean), p_mean, p_std)
    for i, (lo, hi) in enumerate(zip(edges[:-1], edges[1:])):
        s = np.geomspace(lo, hi, 80)
        k = labels[i]
        colour = BLOCK_COLOURS[k % len(BLOCK_COLOURS)]
        ax.fill_between(s, 0, log_sigma_density(s, p_mean, p_std), color=colour, alpha=0.45, lw=0,
                        gid=f"{prefix}_block_{i}")
        if math.log10(hi / lo) >= MIN_LABEL_DECADES:   # narrower blocks: their masses are in the readout
            ax.text(math.sqrt(lo * hi), 1.08 * peak, f"block {k}\n{100 * masses[i]:.1f} %", ha="center",
                    va="bottom", fontsize=7, gid=f"{prefix}_mass_{i}")
    for b, edge in enumerate(edges):
        ax.axvline(edge, color="0.25", lw=0.8, ls="-" if prefix == "equal" else "--", gid=f"{prefix}_edge_{b}")


def draw_partition(*, block_boundaries: Callable, assign_block: Callable, lognormal_cdf: Callable,
                   num_blocks: int = 3, p_mean: float = -1.2, p_std: float = 1.2):
    """The equal-mass blocks of ``block_boundaries`` above the log-uniform split; returns ``(figure, readout)``."""
    B, p_mean, p_std = int(num_blocks), float(p_mean), float(p_std)
    equal = np.asarray(block_boundaries(B, SIGMA_MIN, SIGMA_MAX, p_mean, p_std), dtype=float)
    geometric = log_uniform_split(B)
    m_equal = block_masses(equal, lognormal_cdf, p_mean, p_std)
    m_geo = block_masses(geometric, lognormal_cdf, p_mean, p_std)
    # network index of each ascending interval, asked of the student's routing at its middle
    labels = [int(np.asarray(assign_block(math.sqrt(lo * hi), equal))) for lo, hi in zip(equal[:-1], equal[1:])]
    geo_labels = [B - 1 - i for i in range(B)]

    s = np.geomspace(SIGMA_MIN, SIGMA_MAX, 600)
    dens = log_sigma_density(s, p_mean, p_std)
    peak = log_sigma_density(math.exp(p_mean), p_mean, p_std)
    fig, axes = plt.subplots(2, 1, figsize=(7.2, 4.6), sharex=True)
    titles = (f"equal mass: block_boundaries({B}, p_mean={p_mean:g}, p_std={p_std:g})",
              f"log-uniform split of [{SIGMA_MIN:g}, {SIGMA_MAX:g}] into {B}")
    for ax, edges, masses, lab, prefix, title in ((axes[0], equal, m_equal, labels, "equal", titles[0]),
                                                  (axes[1], geometric, m_geo, geo_labels, "loguniform", titles[1])):
        ax.plot(s, dens, color="k", lw=1.2, gid=f"{prefix}_density")
        _shade(ax, edges, masses, lab, p_mean, p_std, prefix)
        ax.set_xscale("log")
        ax.set_ylim(0, 1.55 * peak)
        ax.set_ylabel("density of ln σ", fontsize=8)
        ax.set_title(title, fontsize=9)
        ax.tick_params(labelsize=8)
        ax.grid(True, axis="x", which="major", lw=0.3, alpha=0.6)
    axes[1].set_xlim(SIGMA_MIN / 1.6, SIGMA_MAX * 1.6)
    axes[1].set_xlabel("noise level σ (log scale)   ← cleaner · noisier →", fontsize=8)
    fig.subplots_adjust(left=0.09, right=0.98, bottom=0.11, top=0.94, hspace=0.32)

    def pct(m):
        return ", ".join(f"{100 * v:.1f} %" for v in m[::-1])
    readout = (f"B = {B}, ln σ ~ N({p_mean:g}, {p_std:g}²) on [{SIGMA_MIN:g}, {SIGMA_MAX:g}]\n"
               f"  equal mass:  boundaries " + ", ".join(f"{v:.4g}" for v in equal) + "\n"
               f"               mass of blocks 0..{B - 1} (noisiest first): {pct(m_equal)}\n"
               f"  log-uniform: boundaries " + ", ".join(f"{v:.4g}" for v in geometric) + "\n"
               f"               mass of blocks 0..{B - 1} (noisiest first): {pct(m_geo)}")
    return fig, readout


def make_boundaries_explorer(block_boundaries: Callable, assign_block: Callable, lognormal_cdf: Callable) -> Explorer:
    """Explorer with sliders for the number of blocks B, P_mean and P_std.

    Example: ``make_boundaries_explorer(block_boundaries, assign_block, lognormal_cdf).show(interactive)``
    """
    controls = {
        "num_blocks": widgets.IntSlider(value=3, min=1, max=8, description="blocks B", continuous_update=False),
        "p_mean": widgets.FloatSlider(value=-1.2, min=-3.0, max=1.0, step=0.1, description="P_mean",
                                      continuous_update=False),
        "p_std": widgets.FloatSlider(value=1.2, min=0.4, max=2.4, step=0.1, description="P_std",
                                     continuous_update=False),
    }

    def draw(**values):
        return draw_partition(block_boundaries=block_boundaries, assign_block=assign_block,
                              lognormal_cdf=lognormal_cdf, **values)

    return Explorer(draw, controls, title="Equal-mass block boundaries vs the log-uniform split")

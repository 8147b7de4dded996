"""Explorer for problem 404: EDM preconditioning and the loss weight across the noise range.

Two panels on a log-sigma axis over [0.002, 80], with the B = 3 equal-mass blocks shaded (the
boundaries are passed in: they are problem 401's answer, never computed here):

* left: the student's ``edm_precond`` coefficients c_skip, c_out, c_in for the chosen sigma_data,
  and the effective weight lambda(sigma) c_out(sigma)^2 with the notebook's ``edm_loss_weight``
  (flat at 1 when both are right), a vertical marker at the chosen sigma;
* right: the loss of the trivial denoiser F = 0 (D = c_skip x, with the student's c_skip) on
  Gaussian data of standard deviation 0.5, measured with the student's ``edm_loss`` at each sigma
  (4 000 fixed draws), and the plain MSE (that loss divided by lambda).

With sigma_data equal to the data's standard deviation the weighted loss sits at 1 everywhere;
a wrong sigma_data tilts it, and the blocks at the ends of the range get more or less weight.
Not covered: a trained network (the capstone 405 trains one).
"""
from __future__ import annotations

from typing import Callable

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np

from mlpapers.diffusion_blocks.figures_404 import shade_blocks
from mlpapers.widgetkit import Explorer

__all__ = ["SIGMA_MIN", "SIGMA_MAX", "DATA_STD", "SIGMA_DATAS", "GRID", "draw_edm", "make_edm_explorer"]

SIGMA_MIN, SIGMA_MAX = 0.002, 80.0
#: standard deviation of the widget's Gaussian data (the capstone's ring data has about 0.5 per coordinate)
DATA_STD = 0.5
#: the sigma_data values of the slider
SIGMA_DATAS = (0.125, 0.25, 0.5, 1.0, 2.0)
#: noise levels at which the loss of F = 0 is measured
GRID = np.logspace(np.log10(SIGMA_MIN), np.log10(SIGMA_MAX), 33)
#: features per noise level in the loss measurement
NUM_FEATURES = 4000


def _draws(seed: int = 0):
    """Fixed clean data y and unit noise n, one row per grid sigma: (len(GRID), NUM_FEATURES) each."""
    rng = np.random.default_rng(seed)
    y = DATA_STD * rng.standard_normal((GRID.size, NUM_FEATURES))
    n = rng.standard_normal((GRID.size, NUM_FEATURES))
    return y, n


def draw_edm(*, edm_precond: Callable, edm_loss: Callable, edm_loss_weight: Callable, boundaries,
             sigma_data: float = 0.5, log10_sigma: float = 0.0):
    """Coefficient panel and loss panel for ``sigma_data``; returns ``(figure, readout)``."""
    sd = float(sigma_data)
    sigma = float(10.0 ** float(log10_sigma))
    curve = np.logspace(np.log10(SIGMA_MIN), np.log10(SIGMA_MAX), 300)
    c_skip, c_out, c_in, _ = (np.asarray(c, dtype=float) for c in edm_precond(curve, sd))
    effective = np.asarray(edm_loss_weight(curve, sd), dtype=float) * c_out ** 2

    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(7.8, 3.4))
    for a in (ax, ax2):
        a.set_xscale("log")
        a.set_yscale("log")
        a.set_xlim(SIGMA_MIN, SIGMA_MAX)
        a.set_xlabel(r"noise level $\sigma$")
    ax.set_ylim(1e-3, 30)
    ax.plot(curve, c_skip, color="tab:blue", lw=1.6, label=r"$c_{skip}$", gid="c_skip")
    ax.plot(curve, c_out, color="tab:purple", lw=1.6, label=r"$c_{out}$", gid="c_out")
    ax.plot(curve, c_in, color="tab:brown", lw=1.6, label=r"$c_{in}$", gid="c_in")
    ax.plot(curve, effective, color="black", lw=2.0, ls="--", label=r"$\lambda\,c_{out}^2$",
            gid="effective_weight")
    ax.axvline(sigma, color="tab:red", lw=1.2, gid="sigma_marker")
    shade_blocks(ax, boundaries, y_text=25)
    ax.set_title(rf"your edm_precond, $\sigma_{{data}} = {sd:g}$", fontsize=9)
    ax.legend(fontsize=7, loc="center left", ncol=2)

    # The loss of F = 0 at each grid sigma, measured with the student's edm_loss.
    y, n = _draws()
    weighted = np.empty(GRID.size)
    for i, s in enumerate(GRID):
        x = y[i:i + 1] + s * n[i:i + 1]                               # (1, M) noisy sample
        skip = np.asarray(edm_precond(np.array([s]), sd)[0], dtype=float).reshape(1, 1)
        weighted[i] = float(edm_loss(skip * x, y[i:i + 1], np.array([s]), sd))
    plain = weighted / np.asarray(edm_loss_weight(GRID, sd), dtype=float)
    ax2.set_ylim(1e-6, 40)
    ax2.axhline(1.0, color="0.6", lw=0.8, ls="--", gid="unit_line")
    ax2.plot(GRID, plain, "o-", ms=2.5, lw=1.0, color="tab:gray", label="plain MSE", gid="plain_loss")
    ax2.plot(GRID, weighted, "D-", ms=2.5, lw=1.2, color="black", label="your edm_loss (λ-weighted)",
             gid="weighted_loss")
    ax2.axvline(sigma, color="tab:red", lw=1.2)
    shade_blocks(ax2, boundaries, y_text=30)
    ax2.set_title(rf"loss of $F = 0$, data std {DATA_STD:g}", fontsize=9)
    ax2.legend(fontsize=7, loc="lower right")
    fig.subplots_adjust(left=0.07, right=0.98, bottom=0.15, top=0.9, wspace=0.25)

    cs, co, ci, cn = (float(np.asarray(c, dtype=float).reshape(-1)[0]) for c in edm_precond(np.array([sigma]), sd))
    lam = float(np.asarray(edm_loss_weight(np.array([sigma]), sd), dtype=float).reshape(-1)[0])
    readout = (f"σ = {sigma:.4g}, σ_data = {sd:g}:\n"
               f"  c_skip = {cs:.4g}, c_out = {co:.4g}, c_in = {ci:.4g}, c_noise = {cn:.4g}\n"
               f"  λ = {lam:.4g}, λ·c_out² = {lam * co * co:.6f}\n"
               f"  F = 0 on data of std {DATA_STD:g}: λ-weighted loss from {weighted.min():.3g} to "
               f"{weighted.max():.3g} over σ in [{SIGMA_MIN:g}, {SIGMA_MAX:g}]; plain MSE from "
               f"{plain.min():.2g} to {plain.max():.2g}")
    return fig, readout


def make_edm_explorer(edm_precond: Callable, edm_loss: Callable, edm_loss_weight: Callable, boundaries) -> Explorer:
    """Explorer with a ``sigma_data`` slider and a log10 sigma slider for the marker and readout.

    ``boundaries``: ascending block boundaries to shade (the notebook passes ``block_boundaries(3)``).
    Example: ``make_edm_explorer(edm_precond, edm_loss, edm_loss_weight, block_boundaries(3)).show(interactive)``
    """
    bounds = np.asarray(boundaries, dtype=float)
    controls = {
        "sigma_data": widgets.SelectionSlider(options=[(f"{v:g}", v) for v in SIGMA_DATAS], value=0.5,
                                              description="σ_data", continuous_update=False),
        "log10_sigma": widgets.FloatSlider(value=0.0, min=round(np.log10(SIGMA_MIN), 2),
                                           max=round(np.log10(SIGMA_MAX), 2), step=0.05,
                                           description="log10 σ", continuous_update=False),
    }

    def draw(**values):
        return draw_edm(edm_precond=edm_precond, edm_loss=edm_loss, edm_loss_weight=edm_loss_weight,
                        boundaries=bounds, **values)

    return Explorer(draw, controls, title="EDM preconditioning: coefficients and the balanced loss")

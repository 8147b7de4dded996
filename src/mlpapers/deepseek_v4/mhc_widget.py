"""Explorer for problem 369: the signal gain of the mHC residual stream against depth.

Two panels, every gain computed by the student's ``gain_curve`` and the chapter's
``sinkhorn_knopp`` (both passed in):

* left: forward gain (largest absolute row sum) and backward gain (largest absolute column sum)
  of the composite residual map B_{l-1} ... B_0 against depth l, on a log axis, for random
  residual matrices R_l = I + sigma N(0, 1) used as they are (HC) and, with the projection
  switched on, after ``sinkhorn_knopp(R_l, n_iters)`` (mHC);
* right: near-identity logits s I + N(0, 1), the regime of a trained mHC layer where Sinkhorn
  converges slowly: the gains of the projected stack at the chosen depth against the number of
  Sinkhorn sweeps (1 ... 100, log axis), with the chosen count marked. Rows are exact after every
  sweep, so the forward gain stays 1; columns are not, and the backward gain creeps above 1 when
  the projection is under-iterated.

Both stacks come from ``np.random.default_rng(seed).standard_normal((depth, 4, 4))``, the draw
of problem 369's ``depth_gain_experiment``, so a longer stack extends a shorter one. Not covered:
the dynamic (input-dependent) part of B, the A and C mappings, training.
"""
from __future__ import annotations

from typing import Callable

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np

from mlpapers.widgetkit import Explorer

__all__ = ["N_STREAMS", "ITERATION_GRID", "noise", "draw_mhc_gain", "make_mhc_gain_explorer"]

N_STREAMS = 4                         # n_hc = 4 in both V4 models
#: Sinkhorn sweep counts of the right panel (log-spaced, 20 = the V4 setting)
ITERATION_GRID = (1, 2, 3, 5, 7, 10, 15, 20, 30, 50, 70, 100)


def noise(depth: int, seed: int = 0) -> np.ndarray:
    """The standard-normal draw (depth, 4, 4) both panels start from.

    Example: ``noise(60)[0]`` is the first matrix of ``default_rng(0).standard_normal((60, 4, 4))``.
    """
    return np.random.default_rng(seed).standard_normal((int(depth), N_STREAMS, N_STREAMS))


def draw_mhc_gain(*, gain_curve: Callable, sinkhorn_knopp: Callable, sigma: float = 0.3, depth: int = 60,
                  n_iters: int = 20, projection: bool = True, s: float = 6.0, seed: int = 0):
    """The two-panel figure and the readout for one setting of the controls.

    Args:
        gain_curve: the student's function, (L, n, n) -> (L, 2) forward and backward gains.
        sinkhorn_knopp: (..., n, n) logits, n_iters -> the projected matrices.
        sigma: noise of the HC matrices I + sigma N.  depth: number of layers L.
        n_iters: Sinkhorn sweeps.  projection: draw the projected (mHC) curves on the left.
        s: diagonal of the near-identity logits s I + N of the right panel.  seed: of the draw.

    Returns:
        (matplotlib Figure, readout str).
    """
    depth, n_iters, sigma, s = int(depth), int(n_iters), float(sigma), float(s)
    Z = noise(depth, seed)
    R = np.eye(N_STREAMS) + sigma * Z                                 # (L, 4, 4) HC residual matrices
    hc = np.asarray(gain_curve(R), dtype=float)                      # (L, 2)
    layers = np.arange(1, depth + 1)

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(8.0, 3.3), gridspec_kw={"width_ratios": [1.35, 1.0]})
    ax1.semilogy(layers, hc[:, 0], color="tab:red", lw=1.6, label="HC forward", gid="hc_forward")
    ax1.semilogy(layers, hc[:, 1], color="tab:red", lw=1.1, ls="--", label="HC backward", gid="hc_backward")
    readout = (f"L = {depth}, sigma = {sigma:.2f}: HC forward gain {hc[-1, 0]:.6g}, backward {hc[-1, 1]:.6g}")
    if projection:
        mhc = np.asarray(gain_curve(sinkhorn_knopp(R, n_iters)), dtype=float)
        ax1.semilogy(layers, mhc[:, 0], color="tab:blue", lw=1.6, label="mHC forward", gid="mhc_forward")
        ax1.semilogy(layers, mhc[:, 1], color="tab:blue", lw=1.1, ls="--", label="mHC backward",
                     gid="mhc_backward")
        readout += (f"; mHC ({n_iters} sweeps) forward {mhc[-1, 0]:.6f}, backward {mhc[-1, 1]:.6f}")
    else:
        readout += "; projection off (no mHC curves)"
    top = max(10.0, float(np.max(hc)) * 3)
    ax1.set_ylim(min(0.5, float(np.min(hc)) / 2), top)
    ax1.set_xlim(0, depth + 1)
    ax1.set_xlabel("depth l", fontsize=8)
    ax1.set_ylabel("gain of $B_{l-1}\\cdots B_0$", fontsize=8)
    ax1.set_title(f"$B_l = I + {sigma:.2f}\\,N(0,1)$" + (" and its Sinkhorn projection" if projection else ""),
                  fontsize=8)
    ax1.legend(fontsize=7, loc="upper left", frameon=False)
    ax1.tick_params(labelsize=7)

    logits = s * np.eye(N_STREAMS) + Z                               # (L, 4, 4) near-identity logits
    grid = np.array(ITERATION_GRID)
    curve = np.array([np.asarray(gain_curve(sinkhorn_knopp(logits, int(t))), dtype=float)[-1] for t in grid])
    here = np.asarray(gain_curve(sinkhorn_knopp(logits, n_iters)), dtype=float)[-1]
    ax2.semilogx(grid, curve[:, 1], "o-", ms=3, color="tab:purple", lw=1.2, label="backward", gid="near_backward")
    ax2.semilogx(grid, curve[:, 0], "-", color="0.5", lw=1.0, label="forward", gid="near_forward")
    ax2.plot([n_iters], [here[1]], "*", ms=11, color="black", gid="current_iters",
             label=f"{n_iters} sweeps: {here[1]:.4f}")
    ax2.axhline(1.0, color="0.8", lw=0.8, zorder=0)
    ax2.set_xlabel("Sinkhorn sweeps", fontsize=8)
    ax2.set_ylabel(f"gain at depth {depth}", fontsize=8)
    ax2.set_title(f"near-identity logits ${s:g}\\,I + N(0,1)$, projected", fontsize=8)
    ax2.legend(fontsize=7, loc="upper right", frameon=False)
    ax2.tick_params(labelsize=7)
    fig.subplots_adjust(left=0.08, right=0.98, bottom=0.15, top=0.9, wspace=0.3)
    readout += (f"\nnear-identity logits {s:g} I + N: backward gain at depth {depth} is {here[1]:.4f} after "
                f"{n_iters} sweeps ({curve[0, 1]:.4f} after 1, {curve[-1, 1]:.4f} after 100); "
                f"forward {here[0]:.6f}")
    return fig, readout


def make_mhc_gain_explorer(gain_curve: Callable, sinkhorn_knopp: Callable, seed: int = 0) -> Explorer:
    """Explorer with sliders ``sigma`` (0 ... 0.5), ``depth`` (1 ... 120), ``n_iters`` (1 ... 100),
    ``s`` (0 ... 10) and a ``projection`` toggle.

    Example: ``make_mhc_gain_explorer(gain_curve, sinkhorn_knopp).show(interactive)``.
    """
    controls = {
        "sigma": widgets.FloatSlider(value=0.3, min=0.0, max=0.5, step=0.01, description="sigma",
                                     continuous_update=False),
        "depth": widgets.IntSlider(value=60, min=1, max=120, description="depth L", continuous_update=False),
        "n_iters": widgets.IntSlider(value=20, min=1, max=100, description="sweeps", continuous_update=False),
        "projection": widgets.Checkbox(value=True, description="Sinkhorn projection (mHC)"),
        "s": widgets.FloatSlider(value=6.0, min=0.0, max=10.0, step=0.5, description="s (right)",
                                 continuous_update=False),
    }
    return Explorer(lambda **v: draw_mhc_gain(gain_curve=gain_curve, sinkhorn_knopp=sinkhorn_knopp,
                                              seed=seed, **v),
                    controls, title="mHC signal gain against depth")

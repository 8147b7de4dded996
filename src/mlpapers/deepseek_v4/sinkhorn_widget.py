"""Explorer for problem 360: Sinkhorn–Knopp sweeps on a heat-map (DeepSeek-V4 §2.2, mHC).

Two panels, both computed from the student's functions:

* the matrix M^(t) after t sweeps of the student's ``sinkhorn_knopp`` on ``logits / tau``, as a
  heat-map with every entry written in, the row sums on the right and the column sums below
  (t = 0 shows M^(0) = exp(logits / tau - max), the matrix before any sweep);
* the student's ``sinkhorn_column_errors`` for 30 sweeps on a log scale, with the current sweep
  marked and V4's t_max = 20 drawn as a dashed line.

A small temperature tau sharpens the logits towards a permutation and the column error then
decays slowly; a large one flattens them and a few sweeps suffice. Not covered: the eps terms and
the row-softmax start of the released inference kernels (the notebook discusses them).
"""
from __future__ import annotations

from typing import Callable

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np

from mlpapers.widgetkit import Explorer

__all__ = ["EXAMPLE_LOGITS", "TAUS", "T_MAX", "ERROR_FLOOR", "draw_matrix", "decay_factor",
           "draw_sinkhorn", "make_sinkhorn_explorer"]

#: the 4 x 4 residual-mixing logits of the figure and the widget (n_hc = 4 streams, as in V4)
EXAMPLE_LOGITS = np.array([[2.0, 0.5, -1.0, 0.0],
                           [0.0, 1.5, 0.5, -0.5],
                           [1.0, -1.0, 0.0, 2.5],
                           [-0.5, 0.0, 1.0, 0.5]])
#: temperatures of the slider: the logits are divided by tau
TAUS = (0.1, 0.2, 0.3, 0.5, 1.0, 2.0, 5.0)
#: sweeps drawn in the error panel (the slider's range)
T_MAX = 30
#: errors below this are drawn at this height (an exact 0 has no place on a log axis)
ERROR_FLOOR = 1e-17


def draw_matrix(ax, M, *, title: str = "", sums: bool = True, fmt: str = "{:.2f}", vmax: float | None = 1.0,
                cmap: str = "Blues") -> None:
    """Heat-map of a square matrix with its entries written in and, optionally, its sums.

    Args:
        ax: matplotlib axes.  M: (n, n) array.  title: axes title.
        sums: write the row sums right of the matrix and the column sums below it.
        fmt: format of the entries.  vmax: top of the colour scale (None: the largest entry).

    The image carries gid ``matrix``; the sums are texts with gids ``row_sum_<i>`` and
    ``col_sum_<j>``. Example: ``draw_matrix(ax, np.eye(2), title="I")``.
    """
    M = np.asarray(M, dtype=float)
    n = M.shape[0]
    top = float(M.max()) if vmax is None else vmax
    ax.imshow(M, cmap=cmap, vmin=min(0.0, float(M.min())), vmax=top, gid="matrix")
    for i in range(n):
        for j in range(n):
            dark = M[i, j] > 0.6 * top
            ax.text(j, i, fmt.format(M[i, j]), ha="center", va="center", fontsize=7,
                    color="white" if dark else "black")
    if sums:
        for i, s in enumerate(M.sum(axis=1)):
            ax.text(n - 0.3, i, f"{s:.3f}", ha="left", va="center", fontsize=7, color="tab:red",
                    gid=f"row_sum_{i}")
        for j, s in enumerate(M.sum(axis=0)):
            ax.text(j, n - 0.3, f"{s:.3f}", ha="center", va="top", fontsize=7, color="tab:green",
                    gid=f"col_sum_{j}")
        ax.text(n - 0.3, n - 0.3, "↑ row sum", ha="left", va="top", fontsize=6, color="tab:red")
        ax.text(n - 0.3, n + 0.05, "← col sum", ha="left", va="top", fontsize=6, color="tab:green")
        ax.set_xlim(-0.5, n + 0.75)
        ax.set_ylim(n + 0.45, -0.5)
        ax.set_frame_on(False)
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title, fontsize=9)


def decay_factor(errors) -> float:
    """The ratio of the last two column errors that are both above 1e-13 (nan if there are none).

    After many sweeps the column error falls by a constant factor per sweep (linear, i.e.
    geometric, convergence); this is that factor as measured. Example: ``decay_factor([1e-1, 1e-2])`` -> 0.1.
    """
    e = np.asarray(errors, dtype=float)
    ok = np.flatnonzero(e > 1e-13)
    if ok.size < 2 or ok[-1] - ok[-2] != 1:
        return float("nan")
    return float(e[ok[-1]] / e[ok[-2]])


def draw_sinkhorn(*, sinkhorn_knopp: Callable, sinkhorn_column_errors: Callable, t: int = 1, tau: float = 1.0,
                  logits=EXAMPLE_LOGITS):
    """The heat-map of M^(t) for ``logits / tau`` and the column-error curve; returns ``(figure, readout)``."""
    t, tau = int(t), float(tau)
    Z = np.asarray(logits, dtype=float) / tau
    if t == 0:
        M = np.exp(Z - Z.max())                                     # M^(0): before any sweep
    else:
        M = np.asarray(sinkhorn_knopp(Z, t), dtype=float)
    errors = np.asarray(sinkhorn_column_errors(Z, T_MAX), dtype=float)   # (T_MAX,)

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(7.6, 3.4), gridspec_kw={"width_ratios": [1.0, 1.25]})
    draw_matrix(ax1, M, title=f"$M^{{({t})}}$ of logits / {tau:g}", vmax=1.0)
    sweeps = np.arange(1, T_MAX + 1)
    ax2.semilogy(sweeps, np.maximum(errors, ERROR_FLOOR), "o-", ms=2.5, lw=1.2, color="tab:green",
                 gid="column_errors")
    if t >= 1:
        ax2.semilogy([t], [max(errors[t - 1], ERROR_FLOOR)], "o", ms=8, mfc="none", mec="tab:red", mew=1.5,
                     gid="current_sweep")
    ax2.axvline(20, color="0.5", ls="--", lw=0.8, gid="v4_t_max")
    ax2.text(20.3, 0.3, "V4: $t_{max}$ = 20", fontsize=7, color="0.35", va="top")
    ax2.set_ylim(ERROR_FLOOR / 3, 3.0)
    ax2.set_xlim(0, T_MAX + 1)
    ax2.set_xlabel("sweep t")
    ax2.set_ylabel(r"max$_j$ |column sum$_j$ − 1|")
    ax2.set_title("sinkhorn_column_errors", fontsize=9)
    ax2.grid(True, which="major", lw=0.3, alpha=0.6)
    fig.subplots_adjust(left=0.03, right=0.98, bottom=0.15, top=0.9, wspace=0.25)

    row_err = float(np.max(np.abs(M.sum(axis=1) - 1)))
    col_err = float(np.max(np.abs(M.sum(axis=0) - 1)))
    rate = decay_factor(errors)
    rate_text = f"×{rate:.3f} per sweep" if np.isfinite(rate) else "below 1e-13 within a few sweeps"
    stage = "M(0) = exp(logits/τ − max), before any sweep" if t == 0 else f"after {t} sweep{'s' * (t != 1)}"
    readout = (f"τ = {tau:g}, {stage}:\n"
               f"  row sums within {row_err:.1e} of 1, column sums within {col_err:.1e} of 1\n"
               f"  column error falls {rate_text}; at V4's t_max = 20 it is {errors[19]:.1e}")
    return fig, readout


def make_sinkhorn_explorer(sinkhorn_knopp: Callable, sinkhorn_column_errors: Callable, logits=None) -> Explorer:
    """Explorer with a sweep slider ``t`` (0 ... 30) and a temperature slider ``tau``.

    Example: ``make_sinkhorn_explorer(sinkhorn_knopp, sinkhorn_column_errors).show(interactive)``
    """
    logits = EXAMPLE_LOGITS if logits is None else np.asarray(logits, dtype=float)
    controls = {
        "t": widgets.IntSlider(value=1, min=0, max=T_MAX, description="sweeps t", continuous_update=False),
        "tau": widgets.SelectionSlider(options=[(f"{x:g}", x) for x in TAUS], value=1.0, description="τ",
                                       continuous_update=False),
    }

    def draw(**values):
        return draw_sinkhorn(sinkhorn_knopp=sinkhorn_knopp, sinkhorn_column_errors=sinkhorn_column_errors,
                             logits=logits, **values)

    return Explorer(draw, controls, title="Sinkhorn–Knopp: columns, then rows, t times")

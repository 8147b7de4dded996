"""Figure of problem 360 (Sinkhorn–Knopp), shown in its Background before the task.

The Sinkhorn sweeps are graded answers, so they come from the instructor's module through
``mlpapers.figures.reference("deepseek_v4")`` at render time, never from package code.
"""
from __future__ import annotations

import numpy as np

from mlpapers.deepseek_v4.sinkhorn_widget import EXAMPLE_LOGITS, draw_matrix


def _plotted(errors: np.ndarray) -> np.ndarray:
    """Errors as drawn: small errors carry rounding noise in their last bits that differs between
    BLAS builds and thread counts, so they are clipped at 1e-14 and rounded to 0.1 % in log scale,
    which keeps the image the same on every machine."""
    return 10.0 ** np.round(np.log10(np.maximum(errors, 1e-14)), 3)


def sinkhorn_sweeps():
    """360: a 4 x 4 logits matrix, M after 1 and 20 sweeps with their sums, and the column error."""
    import matplotlib.pyplot as plt
    from mlpapers.figures import reference
    ref = reference("deepseek_v4")

    L = EXAMPLE_LOGITS
    fig, axes = plt.subplots(2, 2, figsize=(6.8, 6.0))
    draw_matrix(axes[0, 0], L, title="logits $\\tilde B$ (4 x 4)", sums=False, fmt="{:+.1f}", vmax=None,
                cmap="Purples")
    draw_matrix(axes[0, 1], ref.sinkhorn_knopp(L, 1), title="$M^{(1)}$: rows exact, columns not")
    draw_matrix(axes[1, 0], ref.sinkhorn_knopp(L, 20), title="$M^{(20)}$ (V4's $t_{max}$)")

    ax = axes[1, 1]
    t = np.arange(1, 31)
    for scale, colour, label in ((1.0, "tab:green", "logits"), (1 / 0.3, "tab:orange", "logits / 0.3")):
        errors = _plotted(ref.sinkhorn_column_errors(L * scale, 30))
        ax.semilogy(t, errors, "o-", ms=2.5, lw=1.2, color=colour, label=label)
    limit = ref.sinkhorn_knopp(L, 500)
    rate = round(float(np.linalg.svd(limit, compute_uv=False)[1] ** 2), 6)   # sigma_2(B)^2 (Knight, 2008)
    e1 = _plotted(ref.sinkhorn_column_errors(L, 30))
    ax.semilogy(t, 30 * e1[-1] * rate ** (t - 30.0), "--", color="0.4", lw=0.9,
                label=f"slope $\\sigma_2(B)^2$ = {rate:.3f} (shifted up)")
    ax.axvline(20, color="0.6", ls=":", lw=0.8)
    ax.set_xlabel("sweep t")
    ax.set_ylabel(r"max$_j$ |column sum$_j$ − 1|")
    ax.set_title("column error after t sweeps", fontsize=9)
    ax.set_ylim(1e-15, 2)
    ax.grid(True, lw=0.3, alpha=0.6)
    ax.legend(fontsize=7, loc="lower left")
    fig.subplots_adjust(left=0.04, right=0.97, bottom=0.09, top=0.94, wspace=0.35, hspace=0.3)
    return fig


FIGURES = {
    "360_sinkhorn_sweeps.png": sinkhorn_sweeps,
}

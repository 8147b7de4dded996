"""Figure of problem 404 (EDM preconditioning and the loss weight), shown before the task.

``404_edm_coefficients.png``: two panels on a log-sigma axis over [0.002, 80] with the B = 3
equal-mass block boundaries shaded (block 0 = noisiest range, as in the chapter).

* left: c_skip, c_out, c_in of EDM Table 1 (sigma_data = 0.5) and the effective weight
  lambda(sigma) c_out(sigma)^2, flat at 1;
* right: the loss of the trivial denoiser F = 0 (so D = c_skip x) on Gaussian data of standard
  deviation sigma_data, measured at each sigma on 4 000 draws: plain MSE, MSE weighted by 1/sigma^2
  and MSE weighted by EDM's lambda(sigma).

The coefficients, the weight, the loss and the boundaries are graded answers of problems 404 and
401, so they come from the instructor's module through ``mlpapers.figures.reference``
when the figure is rendered, never from code in this package.
"""
from __future__ import annotations

import numpy as np

SIGMA_DATA = 0.5
SIGMA_MIN, SIGMA_MAX = 0.002, 80.0
BLOCK_COLOURS = ("tab:red", "tab:orange", "tab:green")


def shade_blocks(ax, boundaries, *, label: bool = True, y_text: float | None = None) -> None:
    """Shade the blocks between ascending ``boundaries`` and name them in network order.

    Block k owns [b_{B-1-k}, b_{B-k}): block 0 is the noisiest range. Interior boundaries get a
    dotted vertical line. Example: ``shade_blocks(ax, [0.002, 0.18, 0.51, 80])``.
    """
    b = np.asarray(boundaries, dtype=float)
    B = b.size - 1
    for i in range(B):
        k = B - 1 - i
        ax.axvspan(b[i], b[i + 1], color=BLOCK_COLOURS[k % len(BLOCK_COLOURS)], alpha=0.08, lw=0)
        if label:
            centre = float(np.sqrt(b[i] * b[i + 1]))
            y = ax.get_ylim()[1] if y_text is None else y_text
            narrow = np.log10(b[i + 1] / b[i]) < 1.0       # too narrow for a horizontal label
            ax.text(centre, y, f"block {k}", ha="center", va="top", fontsize=7,
                    rotation=90 if narrow else 0, color=BLOCK_COLOURS[k % len(BLOCK_COLOURS)])
    for v in b[1:-1]:
        ax.axvline(v, color="0.4", ls=":", lw=0.9)


def edm_coefficients():
    """404: EDM's preconditioning coefficients and the per-sigma loss of F = 0, with the B = 3 blocks."""
    from mlpapers.figures import reference
    import matplotlib.pyplot as plt
    ref = reference("diffusion_blocks")
    sigma = np.logspace(np.log10(SIGMA_MIN), np.log10(SIGMA_MAX), 400)
    c_skip, c_out, c_in, _ = ref.edm_precond(sigma, SIGMA_DATA)
    lam = ref.edm_loss_weight(sigma, SIGMA_DATA)
    bounds = ref.block_boundaries(3)

    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(7.8, 3.4))
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_ylim(1e-3, 30)
    ax.plot(sigma, c_skip, color="tab:blue", lw=1.6, label=r"$c_{skip}$")
    ax.plot(sigma, c_out, color="tab:purple", lw=1.6, label=r"$c_{out}$")
    ax.plot(sigma, c_in, color="tab:brown", lw=1.6, label=r"$c_{in}$")
    ax.plot(sigma, lam * c_out ** 2, color="black", lw=2.0, ls="--", label=r"$\lambda(\sigma)\,c_{out}^2$")
    shade_blocks(ax, bounds, y_text=25)
    ax.set_xlim(SIGMA_MIN, SIGMA_MAX)
    ax.set_xlabel(r"noise level $\sigma$")
    ax.set_title(r"EDM coefficients, $\sigma_{data} = 0.5$", fontsize=9)
    ax.legend(fontsize=7, loc="center left", ncol=2)

    # The loss of the trivial denoiser F = 0 (D = c_skip x) on data of std sigma_data, measured.
    rng = np.random.default_rng(0)
    grid = np.logspace(np.log10(SIGMA_MIN), np.log10(SIGMA_MAX), 41)
    M = 4000
    plain, inv_sq, edm = [], [], []
    for s in grid:
        y = SIGMA_DATA * rng.standard_normal((1, M))
        x = y + s * rng.standard_normal((1, M))
        D = ref.edm_denoise(np.zeros_like(x), x, np.array([s]), SIGMA_DATA)
        weighted = ref.edm_loss(D, y, np.array([s]), SIGMA_DATA)          # lambda(s) * mean (D - y)^2
        mse = weighted / float(ref.edm_loss_weight(s, SIGMA_DATA))
        plain.append(mse)
        inv_sq.append(mse / s ** 2)
        edm.append(weighted)
    ax2.set_xscale("log")
    ax2.set_yscale("log")
    ax2.set_ylim(1e-6, 40)
    ax2.plot(grid, plain, "o-", ms=2.5, lw=1.0, color="tab:gray", label=r"plain MSE $\|D-y\|^2/M$")
    ax2.plot(grid, inv_sq, "s-", ms=2.5, lw=1.0, color="tab:cyan", label=r"weighted by $1/\sigma^2$")
    ax2.plot(grid, edm, "D-", ms=2.5, lw=1.2, color="black", label=r"weighted by EDM $\lambda(\sigma)$")
    shade_blocks(ax2, bounds, y_text=30)
    ax2.set_xlim(SIGMA_MIN, SIGMA_MAX)
    ax2.set_xlabel(r"noise level $\sigma$")
    ax2.set_title(r"loss of $F = 0$ on data of std $\sigma_{data}$", fontsize=9)
    ax2.legend(fontsize=7, loc="lower right")
    fig.subplots_adjust(left=0.07, right=0.98, bottom=0.15, top=0.9, wspace=0.25)
    return fig


FIGURES = {
    "404_edm_coefficients.png": edm_coefficients,
}

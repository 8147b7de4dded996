"""Figure of problem 411 (NVFP4 by hand), shown in its Background before the task.

Left: round-to-nearest-even onto the E2M1 grid, as a staircase, with the seven ties of the positive
half marked where they land. Right: 32 consecutive values of the chapter's Gaussian test tensor
(elements 32-63 of ``default_rng(0).standard_normal(2**16)``) with the grids each format can
use there: NVFP4's two 16-element blocks, each scaled by its own E4M3 block scale, and MXFP4's
one 32-element block with a power-of-two scale. The rounding and the NVFP4 scales are graded
answers, so they come from the instructor's module through ``mlpapers.figures.reference`` at
render time.
"""
from __future__ import annotations

import numpy as np

E2M1 = np.array([0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0])
START = 32           # an MXFP4 block whose amax (1.96) sits just below a power of two: codes above 6 clip


def nvfp4_grids():
    """411: the E2M1 staircase with its ties, and NVFP4's vs MXFP4's grids over 32 Gaussian values."""
    import matplotlib.pyplot as plt
    from mlpapers.figures import reference
    ref = reference("nemotron3")

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(7.8, 3.5), gridspec_kw={"width_ratios": [1.0, 1.45]})
    v = np.linspace(-7.0, 7.0, 2801)
    ax1.plot(v, ref.round_to_e2m1(v), color="tab:blue", lw=1.4)
    grid = np.concatenate([-E2M1[:0:-1], E2M1])
    ax1.plot(grid, grid, "o", ms=3.5, color="tab:blue")
    ties = (E2M1[:-1] + E2M1[1:]) / 2                                  # 0.25, 0.75, ..., 5
    ax1.plot(ties, ref.round_to_e2m1(ties), "o", ms=6, mfc="none", mec="tab:red", mew=1.3)
    for t in ties[[0, 3, 5, 6]]:
        ax1.annotate(f"{t:g}→{ref.round_to_e2m1([t])[0]:g}", (t, ref.round_to_e2m1([t])[0]),
                     xytext=(-2, 7), textcoords="offset points", ha="right", fontsize=7, color="tab:red")
    ax1.axhline(0, color="0.8", lw=0.6)
    ax1.axvline(0, color="0.8", lw=0.6)
    ax1.set_xlabel("input v")
    ax1.set_ylabel("E2M1(v)")
    ax1.set_title("E2M1: 15 values, ties to even (red),\nsaturating at ±6", fontsize=9)

    x = np.random.default_rng(0).standard_normal(2 ** 16)
    q, scales, s_enc = ref.nvfp4_quantize(x)
    chunk = x[START:START + 32]
    idx = np.arange(32)
    ax2.plot(idx, chunk, "o", ms=3.5, color="k", zorder=3, label="values")
    for b in range(2):
        step = scales[START // 16 + b] / s_enc
        for g in grid * step:
            ax2.plot([16 * b - 0.4, 16 * b + 15.4], [g, g], color="tab:blue", lw=1.0)
    amax = np.abs(chunk).max()
    mx_scale = 2.0 ** (np.floor(np.log2(amax)) - 2)                   # OCP MX: E8M0, emax(E2M1) = 2
    for g in grid * mx_scale:
        ax2.plot([-0.4, 31.4], [g, g], color="tab:orange", lw=1.0, ls=(0, (4, 3)))
    ax2.axvline(15.5, color="0.6", lw=0.8, ls=":")
    clipped = np.abs(chunk) > 6 * mx_scale
    ax2.plot(idx[clipped], np.sign(chunk[clipped]) * 6 * mx_scale, "x", ms=6, mew=1.5, color="tab:orange",
             label="MXFP4 clips these")
    nv_err = np.mean((ref.nvfp4_dequantize(q, scales, s_enc)[START:START + 32] - chunk) ** 2)
    mx_err = np.mean((ref.mxfp4_fake_quant(x)[START:START + 32] - chunk) ** 2)
    ax2.plot([], [], color="tab:blue", label=f"NVFP4 grids (blocks of 16), MSE {nv_err:.4f}")
    ax2.plot([], [], color="tab:orange", ls=(0, (4, 3)), label=f"MXFP4 grid (block of 32), MSE {mx_err:.4f}")
    ax2.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.17), ncol=2, frameon=False)
    ax2.set_ylim(-2.3, 2.3)
    ax2.set_xlim(-1, 32)
    ax2.set_xlabel(f"element of x[{START}:{START + 32}]")
    ax2.set_title(f"block scales {scales[START // 16]:g} and {scales[START // 16 + 1]:g} (÷ s_enc = {s_enc:.4g})\n"
                  f"vs one power of two, {mx_scale:g}", fontsize=9)
    fig.subplots_adjust(left=0.08, right=0.98, bottom=0.3, top=0.86, wspace=0.25)
    return fig


FIGURES = {"411_nvfp4_grids.png": nvfp4_grids}

"""Explorer for problem 411: one NVFP4 block's grid over a tensor's histogram, and four formats' errors.

Two panels, every quantised value computed by the functions handed in (the student's
``nvfp4_quantize`` and the notebook's provided ``nvfp4_dequantize``, ``mxfp4_fake_quant``,
``fp8_fake_quant`` and ``rht16``):

* the histogram of a 1024-element tensor (Gaussian or Student-t with 3 degrees of freedom, scaled
  to unit variance) with the *effective grid* of one 16-element block overlaid: the 15 E2M1 values
  times that block's decode scale s_b / s_enc. The block's own values are drawn as ticks; a
  slider plants an outlier in the block (element 5), which stretches the block's grid and flushes
  its small values to 0;
* the relative MSE, mean((x_hat - x)^2) / mean(x^2) over the tensor's values (a planted outlier is
  quantised with the rest but left out of the average, so that its size does not hide the damage
  it does to its neighbours), of per-tensor FP8 E4M3, NVFP4, NVFP4 after a
  16-point random Hadamard transform (signs as TransformerEngine hard-codes them; the error is
  measured after the inverse transform) and MXFP4, on a log axis.

The E2M1 magnitudes below are the format's definition, not an answer. Not covered: stochastic
rounding, 2-D (16 x 16) weight scaling, and the GEMM itself.
"""
from __future__ import annotations

from typing import Callable

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np

from mlpapers.widgetkit import Explorer

__all__ = ["E2M1_VALUES", "RHT_SIGNS", "N_ELEMENTS", "BLOCK", "OUTLIER_POS", "DISTRIBUTIONS", "OUTLIERS",
           "FORMATS", "example_tensor", "relative_mse", "format_errors", "draw_nvfp4", "make_nvfp4_explorer"]

#: the non-negative values of FP4 E2M1 (1 sign, 2 exponent, 1 mantissa bit)
E2M1_VALUES = np.array([0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0])
#: the 16 signs of the random Hadamard transform, as TransformerEngine's NVFP4 reference hard-codes them
RHT_SIGNS = np.array([1.0, 1.0, 1.0, -1.0, 1.0, -1.0, -1.0, -1.0, -1.0, -1.0, -1.0, 1.0, -1.0, 1.0, -1.0, -1.0])
N_ELEMENTS, BLOCK, OUTLIER_POS, SEED = 1024, 16, 5, 411
DISTRIBUTIONS = (("Gaussian", "gaussian"), ("Student-t, ν = 3", "student_t"))
#: outlier magnitudes of the slider, in units of the tensor's standard deviation (0: no outlier)
OUTLIERS = (0.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0)
FORMATS = ("FP8 E4M3", "NVFP4", "NVFP4 + RHT", "MXFP4")
_COLOURS = {"FP8 E4M3": "0.55", "NVFP4": "tab:blue", "NVFP4 + RHT": "tab:cyan", "MXFP4": "tab:orange"}


def example_tensor(distribution: str = "gaussian", block: int = 0, outlier: float = 0.0) -> np.ndarray:
    """The explorer's (1024,) tensor, unit variance, with ``x[16 block + 5] = outlier`` when outlier > 0.

    Example: ``example_tensor("gaussian", 3, 32.0)[53]`` -> 32.0.
    """
    rng = np.random.default_rng(SEED)
    if distribution == "gaussian":
        x = rng.standard_normal(N_ELEMENTS)
    elif distribution == "student_t":
        x = rng.standard_t(3, N_ELEMENTS) / np.sqrt(3.0)          # variance of t_3 is 3
    else:
        raise ValueError(f"distribution must be 'gaussian' or 'student_t', got {distribution!r}")
    if outlier > 0:
        x[BLOCK * int(block) + OUTLIER_POS] = float(outlier)
    return x


def relative_mse(x_hat, x, keep=None) -> float:
    """mean((x_hat - x)^2) / mean(x^2) over the entries where ``keep`` is True (all by default).

    Example: ``relative_mse([1.0, 2.0], [1.0, 1.0])`` -> 0.5.
    """
    x_hat, x = np.asarray(x_hat, dtype=float), np.asarray(x, dtype=float)
    keep = np.ones(x.shape, dtype=bool) if keep is None else np.asarray(keep, dtype=bool)
    return float(np.mean((x_hat - x)[keep] ** 2) / np.mean(x[keep] ** 2))


def format_errors(x, *, nvfp4_quantize: Callable, nvfp4_dequantize: Callable, mxfp4_fake_quant: Callable,
                  fp8_fake_quant: Callable, rht16: Callable, keep=None) -> dict[str, float]:
    """Relative MSE of the four formats of :data:`FORMATS` on ``x`` (length a multiple of 32).

    The whole tensor is quantised; the error is averaged over the entries where ``keep`` is True.
    """
    nv = nvfp4_dequantize(*nvfp4_quantize(x))
    y = rht16(x, RHT_SIGNS)
    nv_rht = rht16(nvfp4_dequantize(*nvfp4_quantize(y)), RHT_SIGNS, inverse=True)
    return {"FP8 E4M3": relative_mse(fp8_fake_quant(x), x, keep), "NVFP4": relative_mse(nv, x, keep),
            "NVFP4 + RHT": relative_mse(nv_rht, x, keep), "MXFP4": relative_mse(mxfp4_fake_quant(x), x, keep)}


def draw_nvfp4(*, nvfp4_quantize: Callable, nvfp4_dequantize: Callable, mxfp4_fake_quant: Callable,
               fp8_fake_quant: Callable, rht16: Callable, distribution: str = "gaussian", block: int = 0,
               outlier: float = 0.0):
    """The histogram with one block's effective grid and the error bars; returns ``(figure, readout)``."""
    block = int(block)
    x = example_tensor(distribution, block, outlier)
    q, scales, s_enc = nvfp4_quantize(x)
    q, scales, s_enc = np.asarray(q, dtype=float), np.asarray(scales, dtype=float), float(s_enc)
    step = scales[block] / s_enc                                  # decode scale of the block
    grid = np.concatenate([-E2M1_VALUES[:0:-1], E2M1_VALUES]) * step    # the 15 values it can take
    xb = x[BLOCK * block: BLOCK * (block + 1)]
    qb = q[BLOCK * block: BLOCK * (block + 1)]
    keep = np.ones(N_ELEMENTS, dtype=bool)
    if outlier > 0:
        keep[BLOCK * block + OUTLIER_POS] = False                 # score the ordinary values only
    errors = format_errors(x, nvfp4_quantize=nvfp4_quantize, nvfp4_dequantize=nvfp4_dequantize,
                           mxfp4_fake_quant=mxfp4_fake_quant, fp8_fake_quant=fp8_fake_quant, rht16=rht16,
                           keep=keep)

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(7.8, 3.5), gridspec_kw={"width_ratios": [1.6, 1.0]})
    bulk = x[np.abs(x) <= 8]
    ax1.hist(bulk, bins=np.linspace(-4.5, 4.5, 73), color="0.82", gid="histogram")
    top = ax1.get_ylim()[1]
    ax1.vlines(grid, 0, top, colors="tab:blue", lw=0.9, alpha=0.8, gid="block_grid")
    ax1.plot(xb, np.full(BLOCK, -0.06 * top), "|", ms=10, mew=1.5, color="k", gid="block_values")
    lo, hi = -4.5, 4.5
    beyond = xb[np.abs(xb) > hi]
    if beyond.size:                                   # an outlier off the axis: say where it is
        ax1.annotate(f"outlier {beyond[0]:g} →", xy=(hi, -0.06 * top), xytext=(hi - 0.2, 0.55 * top),
                     ha="right", fontsize=7, arrowprops={"arrowstyle": "->", "lw": 0.8})
    ax1.set_xlim(lo, hi)
    ax1.set_ylim(-0.12 * top, top)
    ax1.set_xlabel("value")
    ax1.set_ylabel("count")
    name = dict((v, k) for k, v in DISTRIBUTIONS)[distribution]
    ax1.set_title(f"{name} tensor (gray), block {block}'s values (ticks)\n"
                  f"and its NVFP4 grid: E2M1 × {scales[block]:g} / {s_enc:.4g} (blue)", fontsize=9)

    values = [errors[f] for f in FORMATS]
    bars = ax2.bar(range(len(FORMATS)), values, color=[_COLOURS[f] for f in FORMATS], gid="mse_bars")
    for bar, v in zip(bars, values):
        ax2.text(bar.get_x() + bar.get_width() / 2, v * 1.15, f"{v:.4f}", ha="center", va="bottom", fontsize=7)
    ax2.set_yscale("log")
    ax2.set_ylim(min(values) / 3, max(values) * 4)
    ax2.set_xticks(range(len(FORMATS)), [f.replace(" + ", "\n+ ") for f in FORMATS], fontsize=7)
    ax2.set_ylabel("relative MSE")
    ax2.set_title("whole tensor" + (" (outlier not scored)" if outlier > 0 else ""), fontsize=9)
    fig.subplots_adjust(left=0.08, right=0.98, bottom=0.17, top=0.85, wspace=0.3)

    zeros = int(np.sum((qb == 0) & (xb != 0)))
    readout = (f"block {block}: amax_b = {np.abs(xb).max():.4g}, s_b = {scales[block]:g} (E4M3), "
               f"s_enc = {s_enc:.6g}; grid step near 0: {0.5 * step:.4g}\n"
               f"  {zeros} of 16 nonzero values of the block round to 0; "
               f"its largest code is {np.abs(qb).max():g}\n"
               f"  relative MSE{' (outlier not scored)' if outlier > 0 else ''}: " + ", ".join(f"{f} {errors[f]:.5f}" for f in FORMATS))
    return fig, readout


def make_nvfp4_explorer(nvfp4_quantize: Callable, nvfp4_dequantize: Callable, mxfp4_fake_quant: Callable,
                        fp8_fake_quant: Callable, rht16: Callable) -> Explorer:
    """Explorer with a distribution dropdown, a block slider (0 ... 63) and an outlier slider.

    Example: ``make_nvfp4_explorer(nvfp4_quantize, nvfp4_dequantize, mxfp4_fake_quant, fp8_fake_quant, rht16)``
    """
    controls = {
        "distribution": widgets.Dropdown(options=list(DISTRIBUTIONS), value="gaussian", description="tensor"),
        "block": widgets.IntSlider(value=0, min=0, max=N_ELEMENTS // BLOCK - 1, description="block",
                                   continuous_update=False),
        "outlier": widgets.SelectionSlider(options=[(f"{v:g}σ" if v else "none", v) for v in OUTLIERS],
                                           value=0.0, description="outlier", continuous_update=False),
    }

    def draw(**values):
        return draw_nvfp4(nvfp4_quantize=nvfp4_quantize, nvfp4_dequantize=nvfp4_dequantize,
                          mxfp4_fake_quant=mxfp4_fake_quant, fp8_fake_quant=fp8_fake_quant, rht16=rht16, **values)

    return Explorer(draw, controls, title="NVFP4: one block's grid, four formats' errors")

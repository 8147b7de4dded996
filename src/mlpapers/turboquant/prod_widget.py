"""Explorer for problem 177: inner-product errors of TurboQuant_mse vs TurboQuant_prod.

A small version of the paper's Figs. 1-2 (TurboQuant, Sec. 4.1): for unit pairs (x, y) with a
fixed inner product rho, quantise x with b bits either by TurboQuant_mse (all b bits in the
Lloyd-Max stage) or by TurboQuant_prod (b - 1 bits of MSE plus the 1-bit QJL sketch of the
residual) and histogram the errors <y, x_hat> - <y, x>. The MSE errors centre on
-(1 - alpha_b) rho (problem 177's bias factor), the prod errors on 0.

Drawing a Haar rotation per pair is replaced by the equivalent "Pi = I with a uniformly random
pair" (the joint law is the same), and S is redrawn for every batch of pairs, which keeps the
widget fast. Not covered: real embeddings (the paper uses DBpedia at d = 1536).
"""
from __future__ import annotations

from typing import Callable

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np

from mlpapers.widgetkit import Explorer

__all__ = ["random_pairs", "prod_errors", "draw_prod", "prod_explorer"]


def random_pairs(n: int, d: int, rho: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """n uniformly random unit pairs (x_i, y_i) in R^d with <x_i, y_i> = rho exactly.

    Returns:
        (X (n, d), Y (n, d)) float64.

    Example: ``X, Y = random_pairs(100, 64, 0.5, np.random.default_rng(0))``
    """
    X = rng.standard_normal((n, d))
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    W = rng.standard_normal((n, d))
    W -= np.sum(W * X, axis=1, keepdims=True) * X          # orthogonal to x
    W /= np.linalg.norm(W, axis=1, keepdims=True)
    return X, rho * X + np.sqrt(1.0 - rho ** 2) * W


def prod_errors(bits: int, rho: float, *, prod_quantize: Callable, prod_dequantize: Callable,
                mse_quantize: Callable, mse_dequantize: Callable, lloyd_max: Callable,
                d: int = 64, draws: int = 2000, batches: int = 20, seed: int = 0
                ) -> tuple[np.ndarray, np.ndarray]:
    """Errors <y, x_hat> - rho for TurboQuant_mse and TurboQuant_prod at ``bits`` bits.

    Args:
        bits: total bits per coordinate, 1..4.
        rho: the true inner product of every pair.
        prod_quantize, prod_dequantize: the student's tq_prod_quantize / tq_prod_dequantize.
        mse_quantize, mse_dequantize, lloyd_max: TurboQuant_mse and codebooks (given code).
        d, draws, batches, seed: dimension, number of pairs, number of fresh S, seed.

    Returns:
        (err_mse (draws,), err_prod (draws,)).
    """
    rng = np.random.default_rng(seed)
    X, Y = random_pairs(draws, d, rho, rng)
    eye = np.eye(d)
    c_mse = lloyd_max(bits, d)[0]
    idx, norms = mse_quantize(X, eye, c_mse)
    err_mse = np.sum(Y * mse_dequantize(idx, norms, eye, c_mse), axis=1) - rho
    c_prod = lloyd_max(bits - 1, d)[0]                      # b - 1 bits + 1 QJL bit = b bits
    err_prod = np.empty(draws)
    for part in np.array_split(np.arange(draws), batches):
        S = rng.standard_normal((d, d))                       # m = d, as in the paper
        code = prod_quantize(X[part], eye, c_prod, S)
        X_hat = prod_dequantize(*code, eye, c_prod, S)
        err_prod[part] = np.sum(Y[part] * X_hat, axis=1) - rho
    return err_mse, err_prod


def draw_prod(bits: int, rho: float, *, bias: Callable, d: int = 64, **funcs):
    """Histogram figure and readout for one (bits, rho) setting.

    Args:
        bits, rho: as in :func:`prod_errors`.
        bias: the student's ``mse_inner_product_bias(bits, d)``.
        d: dimension.  **funcs: the callables and options of :func:`prod_errors`.

    Returns:
        (matplotlib Figure, readout str).
    """
    err_mse, err_prod = prod_errors(bits, rho, d=d, **funcs)
    alpha = float(bias(bits, d))
    fig, ax = plt.subplots(figsize=(6, 3.5))
    lo = min(err_mse.min(), err_prod.min())
    hi = max(err_mse.max(), err_prod.max())
    bins = np.linspace(lo, hi, 60)
    ax.hist(err_mse, bins=bins, alpha=0.55, color="tab:red", label=f"TurboQuant_mse ({bits} bits)")
    ax.hist(err_prod, bins=bins, alpha=0.55, color="tab:blue",
            label=f"TurboQuant_prod ({bits - 1} + 1 bits)")
    ax.axvline(0.0, color="tab:blue", lw=2, label="prod mean 0")
    ax.axvline(-(1 - alpha) * rho, color="tab:red", lw=2, ls="--", label="mse mean −(1−α_b)ρ")
    ax.set_xlabel("⟨y, x̂⟩ − ⟨y, x⟩")
    ax.set_ylabel(f"count of {len(err_mse)} pairs")
    ax.set_title(f"d = {d}, b = {bits}, ρ = {rho:.2f}")
    ax.legend(fontsize=7, loc="upper left")
    fig.tight_layout()
    readout = (f"alpha_b = {alpha:.4f}  ->  predicted mse mean {-(1 - alpha) * rho:+.4f}\n"
               f"mse : mean {err_mse.mean():+.4f}   d*E[err^2] = {d * np.mean(err_mse ** 2):.4f}\n"
               f"prod: mean {err_prod.mean():+.4f}   d*E[err^2] = {d * np.mean(err_prod ** 2):.4f}")
    return fig, readout


def prod_explorer(prod_quantize: Callable, prod_dequantize: Callable, bias: Callable,
                  mse_quantize: Callable, mse_dequantize: Callable, lloyd_max: Callable,
                  d: int = 64, draws: int = 2000, seed: int = 0) -> Explorer:
    """Explorer with sliders for the bit-width b (1..4) and the true inner product rho (0..0.9).

    Example: ``prod_explorer(tq_prod_quantize, tq_prod_dequantize, mse_inner_product_bias,
    tq_mse_quantize, tq_mse_dequantize, lloyd_max).show(interactive)``
    """
    controls = {
        "bits": widgets.IntSlider(value=2, min=1, max=4, description="bits b"),
        "rho": widgets.FloatSlider(value=0.5, min=0.0, max=0.9, step=0.1, description="⟨x, y⟩"),
    }
    funcs = dict(prod_quantize=prod_quantize, prod_dequantize=prod_dequantize,
                 mse_quantize=mse_quantize, mse_dequantize=mse_dequantize, lloyd_max=lloyd_max,
                 draws=draws, seed=seed)

    def draw(bits, rho):
        return draw_prod(bits, rho, bias=bias, d=d, **funcs)

    return Explorer(draw, controls, title="TurboQuant_mse vs TurboQuant_prod: inner-product errors")

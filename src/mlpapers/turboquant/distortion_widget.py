"""Explorer for problem 175: TurboQuant_mse's measured distortion against Theorem 1.

TurboQuant_mse (arXiv:2504.19874, Algorithm 1) normalises x, rotates it with a random Pi,
rounds every coordinate to the nearest centroid of the Lloyd-Max codebook for f_d, and stores
the b-bit indices and the norm. The left panel runs the student's quantiser on random unit
vectors and plots the Monte Carlo D_mse = E |x - x_hat|^2 for b = 1..4 against the exact
d * C(f_d, b) and the bounds 4^-b and sqrt(3) pi / 2 * 4^-b. The right panel shows, for one
vector, every rotated coordinate (sqrt(d)-scaled) against the centroid it was rounded to: a
staircase, the same for every input.

Not covered: inner products and their bias (problem 177), bit packing (problem 178).
"""
from __future__ import annotations

import math
from typing import Callable

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np

from mlpapers.widgetkit import Explorer

__all__ = ["D_CHOICES", "unit_rows", "monte_carlo_dmse", "draw_distortion", "distortion_explorer"]

D_CHOICES = (8, 16, 32, 64, 128)
"""Dimensions offered by the d slider."""

BITS = (1, 2, 3, 4)


def unit_rows(n: int, d: int, seed: int = 0) -> np.ndarray:
    """(n, d) rows drawn uniformly on the unit sphere (normalised Gaussians)."""
    X = np.random.default_rng(seed).standard_normal((n, d))
    return X / np.linalg.norm(X, axis=1, keepdims=True)


def monte_carlo_dmse(quantize: Callable, dequantize: Callable, X: np.ndarray, Pi: np.ndarray,
                     centroids: np.ndarray) -> tuple[float, float]:
    """Mean and standard error of |x - x_hat|^2 over the rows of X with the student's functions.

    Args:
        quantize: ``tq_mse_quantize(X, Pi, centroids) -> (idx, norms)``.
        dequantize: ``tq_mse_dequantize(idx, norms, Pi, centroids) -> X_hat``.
        X: (n, d) rows; Pi: (d, d); centroids: (2**b,).
    Returns:
        (mean, standard error).
    """
    idx, norms = quantize(X, Pi, centroids)
    err = np.sum((X - np.asarray(dequantize(idx, norms, Pi, centroids))) ** 2, axis=1)  # (n,)
    return float(err.mean()), float(err.std(ddof=1) / math.sqrt(len(err)))


def draw_distortion(tq_mse_quantize: Callable, tq_mse_dequantize: Callable, random_rotation: Callable,
                    lloyd_max: Callable, quantizer_mse: Callable, bits: int = 2, d: int = 64,
                    n: int = 1000, seed: int = 0, cache: dict | None = None):
    """Monte Carlo D_mse(b) vs theory (left) and one vector's coordinates vs centroids (right).

    Returns:
        ``(figure, readout)``; artists labelled "Monte Carlo", "exact d*C", "lower bound",
        "upper bound", "coordinates".
    """
    cache = {} if cache is None else cache
    if ("setup", d) not in cache:
        Pi = np.asarray(random_rotation(d, np.random.default_rng(seed + 1)), dtype=float)
        books = {b: np.asarray(lloyd_max(b, d)[0], dtype=float) for b in BITS}
        exact = np.array([d * float(quantizer_mse(books[b], d)) for b in BITS])
        X = unit_rows(n, d, seed)
        mc = np.array([monte_carlo_dmse(tq_mse_quantize, tq_mse_dequantize, X, Pi, books[b]) for b in BITS])
        cache[("setup", d)] = (Pi, books, exact, X, mc)
    Pi, books, exact, X, mc = cache[("setup", d)]

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(7.2, 3.0), gridspec_kw={"width_ratios": [1, 1]})
    bs = np.array(BITS)
    lower = 4.0 ** -bs
    ax1.semilogy(bs, exact, "-", color="tab:blue", label="exact d*C")
    ax1.errorbar(bs, mc[:, 0], yerr=2 * mc[:, 1], fmt="o", color="tab:red", ms=4, label="Monte Carlo")
    ax1.semilogy(bs, lower, "--", color="0.3", label="lower bound")
    ax1.semilogy(bs, math.sqrt(3) * math.pi / 2 * lower, ":", color="0.3", label="upper bound")
    ax1.set_xticks(bs)
    ax1.set_xlabel("bits b")
    ax1.set_title(f"$D_{{mse}}$, d = {d}, {len(X)} unit vectors", fontsize=9)
    ax1.legend(fontsize=7, loc="lower left")

    c = books[bits]
    idx, _ = tq_mse_quantize(X[0], Pi, c)
    y = (Pi @ X[0]) * math.sqrt(d)  # rotated coordinates of one vector, scaled axis
    ax2.plot(y, c[np.asarray(idx, dtype=int)] * math.sqrt(d), "o", color="tab:red", ms=3, label="coordinates")
    reach = max(3.0, float(np.max(np.abs(y))))
    ax2.plot([-reach, reach], [-reach, reach], color="0.7", lw=0.8)
    ax2.set_xlabel(r"$\sqrt{d}\,(\Pi x)_j$")
    ax2.set_ylabel(r"$\sqrt{d}\,c_{idx_j}$")
    ax2.set_title(f"one vector, b = {bits}: {2 ** bits} levels", fontsize=9)
    ax2.legend(fontsize=7, loc="upper left")
    fig.tight_layout()

    m, se = mc[bits - 1]
    readout = (f"d = {d}, b = {bits}: Monte Carlo D_mse = {m:.5f} +- {se:.5f}, exact d*C = {exact[bits - 1]:.5f} "
               f"({100 * (m / exact[bits - 1] - 1):+.1f} %), bounds [{4.0 ** -bits:.5f}, "
               f"{math.sqrt(3) * math.pi / 2 * 4.0 ** -bits:.5f}]")
    return fig, readout


def distortion_explorer(tq_mse_quantize: Callable, tq_mse_dequantize: Callable, random_rotation: Callable,
                        lloyd_max: Callable, quantizer_mse: Callable, bits: int = 2, d: int = 64) -> Explorer:
    """Widget: sliders for b (1..4) and d (8..128).

    Example: ``distortion_explorer(tq_mse_quantize, tq_mse_dequantize, random_rotation, lloyd_max,
    quantizer_mse).show(interactive)``
    """
    if d not in D_CHOICES:
        raise ValueError(f"d must be one of {D_CHOICES}, got {d!r}")
    cache: dict = {}
    controls = {
        "bits": widgets.IntSlider(value=bits, min=1, max=4, description="bits b"),
        "d": widgets.SelectionSlider(options=D_CHOICES, value=d, description="dimension d"),
    }

    def draw(bits: int, d: int):
        return draw_distortion(tq_mse_quantize, tq_mse_dequantize, random_rotation, lloyd_max,
                               quantizer_mse, bits, d, cache=cache)

    return Explorer(draw, controls, title="TurboQuant_mse: measured distortion")

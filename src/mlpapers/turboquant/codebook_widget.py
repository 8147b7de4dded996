"""Explorer for problem 174: the Lloyd-Max codebook and TurboQuant's distortion rate.

TurboQuant (arXiv:2504.19874, Sec. 3.1, Eq. 4, Theorem 1) rotates a unit vector at random, after
which every coordinate follows the Lemma-1 density f_d, and rounds each coordinate with the
MSE-optimal scalar (Lloyd-Max) codebook of f_d. The left panel draws f_d (the
``sphere_coordinate_pdf`` of problem 173, passed in by the notebook) on the sqrt(d)-scaled axis
(so every d has unit variance) with the student's codebook: centroids as dots and cell
boundaries as vertical lines. A "Gaussian limit" toggle swaps f_d for N(0, 1), the d -> infinity
limit. The right panel plots D_mse(b) = d * C(f_d, b) for b = 1..5 against the lower bound 4^-b
(Theorem 3), the upper bound sqrt(3) pi / 2 * 4^-b (Theorem 1) and the values the paper quotes.

Codebooks are cached per (bits, d), so moving a control only redraws. Not covered: the vector
quantiser itself (problem 175) and inner products (problem 177).
"""
from __future__ import annotations

import math
from typing import Callable

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np

from mlpapers.widgetkit import Explorer

__all__ = ["D_CHOICES", "PAPER_DMSE", "scaled_density", "distortion_curve", "draw_codebook",
           "codebook_explorer"]

D_CHOICES = (3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512, 768, 1024)
"""Dimensions offered by the d slider (roughly log-spaced)."""

PAPER_DMSE = {1: 0.36, 2: 0.117, 3: 0.03, 4: 0.009}
"""D_mse values quoted in the paper (Theorem 1), bits -> value."""

BITS = (1, 2, 3, 4, 5)


def scaled_density(sphere_coordinate_pdf: Callable, z: np.ndarray, d: int | None) -> np.ndarray:
    """Density of sqrt(d) * X for X ~ f_d, from the pdf passed in; N(0, 1) when ``d`` is None.

    Args:
        sphere_coordinate_pdf: ``sphere_coordinate_pdf(x, d)``, the Lemma-1 density f_d
            (problem 173's function, which the notebook passes in).
        z: (n,) points on the scaled axis.
        d: dimension >= 3, or None for the Gaussian limit (then the pdf is not called).
    Returns:
        (n,) float64 density values.

    Example: ``scaled_density(sphere_coordinate_pdf, np.array([0.0]), 3)`` is ``[0.5 / sqrt(3)]``.
    """
    z = np.asarray(z, dtype=float)
    if d is None:
        return np.exp(-0.5 * z * z) / math.sqrt(2 * math.pi)
    # change of variables z = sqrt(d) x; the pdf is the caller's, so silence its edge warnings
    with np.errstate(all="ignore"):
        return np.asarray(sphere_coordinate_pdf(z / math.sqrt(d), d), dtype=float) / math.sqrt(d)


def distortion_curve(lloyd_max: Callable, quantizer_mse: Callable, d: int | None,
                     bits: tuple[int, ...] = BITS, cache: dict | None = None
                     ) -> tuple[dict[int, np.ndarray], np.ndarray]:
    """Codebooks and D_mse(b) from the student's functions, for each b in ``bits``.

    Args:
        lloyd_max: the student's ``lloyd_max(bits, d=None) -> (centroids, boundaries)``.
        quantizer_mse: the student's ``quantizer_mse(centroids, d=None) -> float``.
        d: dimension, or None for N(0, 1) (then D_mse is the Gaussian cost itself).
        bits: the bit-widths to compute.
        cache: optional dict reused across calls, keyed by (b, d).
    Returns:
        ``(codebooks, dmse)``: b -> centroids on the scaled axis (times sqrt(d)), and the
        (len(bits),) array of D_mse(b) = d * C(f_d, b) (or C(phi, b) for the Gaussian).
    """
    cache = {} if cache is None else cache
    books, dmse = {}, []
    for b in bits:
        key = (b, d)
        if key not in cache:
            centroids = np.asarray(lloyd_max(b, d)[0], dtype=float)
            scale = 1.0 if d is None else float(d)
            cost = float(quantizer_mse(centroids, d)) * scale
            cache[key] = (centroids * math.sqrt(scale), cost)
        books[b], cost = cache[key]
        dmse.append(cost)
    return books, np.array(dmse)


def draw_codebook(lloyd_max: Callable, quantizer_mse: Callable, sphere_coordinate_pdf: Callable,
                  bits: int = 3, d: int = 128, gaussian: bool = False, cache: dict | None = None):
    """Draw the codebook over the density (left) and D_mse(b) against the bounds (right).

    Args:
        lloyd_max, quantizer_mse: the student's functions (see :func:`distortion_curve`).
        sphere_coordinate_pdf: the density f_d of problem 173 (see :func:`scaled_density`).
        bits: bit-width b of the codebook shown on the left (1..5).
        d: dimension (>= 3).
        gaussian: use the N(0, 1) limit instead of f_d.
        cache: optional dict of codebooks shared between redraws.
    Returns:
        ``(figure, readout)``. Artists carry labels: "density", "centroids" (one dot per
        centroid), "boundaries" (one vertical line each), "D_mse", "lower bound 4^-b",
        "upper bound", "paper", "current b".
    """
    dd = None if gaussian else int(d)
    books, dmse = distortion_curve(lloyd_max, quantizer_mse, dd, cache=cache)
    c = books[bits]
    bounds = (c[:-1] + c[1:]) / 2
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(7.2, 3.0), gridspec_kw={"width_ratios": [1.25, 1]})

    # Left: density on the sqrt(d) axis, with the codebook.
    reach = 4.0 if dd is None else min(4.0, math.sqrt(dd))
    z = np.linspace(-reach, reach, 801)
    dens = scaled_density(sphere_coordinate_pdf, z, dd)
    name = "N(0, 1)" if dd is None else f"$\\sqrt{{d}}X$, $X\\sim f_{{{dd}}}$"
    ax1.plot(z, dens, color="tab:blue", label="density")
    if dd is not None:
        ax1.plot(z, scaled_density(sphere_coordinate_pdf, z, None), color="0.6", ls=":", lw=1, label="N(0, 1)")
    ax1.vlines(bounds, 0, dens.max() * 1.08, colors="tab:orange", lw=0.8, alpha=0.8, label="boundaries")
    ax1.plot(c, np.zeros_like(c), "o", color="tab:red", ms=4, clip_on=False, label="centroids")
    ax1.set_xlim(-reach * 1.02, reach * 1.02)
    ax1.set_ylim(0, dens.max() * 1.12)
    ax1.set_xlabel("scaled coordinate $\\sqrt{d}\\,x$" if dd is not None else "x")
    ax1.set_title(f"{2 ** bits} centroids for {name}", fontsize=9)
    ax1.legend(fontsize=7, loc="upper right")

    # Right: distortion rate against the bounds of Theorems 1 and 3.
    bs = np.array(BITS)
    lower = 4.0 ** -bs
    ax2.semilogy(bs, dmse, "o-", color="tab:red", ms=4, label="D_mse")
    ax2.semilogy(bs, lower, "--", color="0.3", label="lower bound 4^-b")
    ax2.semilogy(bs, math.sqrt(3) * math.pi / 2 * lower, ":", color="0.3", label="upper bound")
    pb = sorted(PAPER_DMSE)
    ax2.semilogy(pb, [PAPER_DMSE[b] for b in pb], "x", color="k", ms=6, label="paper")
    ax2.semilogy([bits], [dmse[bits - 1]], "o", mfc="none", mec="k", ms=10, label="current b")
    ax2.set_xticks(bs)
    ax2.set_xlabel("bits b")
    ax2.set_title("$D_{mse}$ of a unit vector", fontsize=9)
    ax2.legend(fontsize=7, loc="lower left")
    fig.tight_layout()

    value = dmse[bits - 1]
    where = "Gaussian limit" if dd is None else f"d = {dd}"
    readout = (f"b = {bits}, {where}: D_mse = {value:.7f}   "
               f"bounds [{4.0 ** -bits:.6g}, {math.sqrt(3) * math.pi / 2 * 4.0 ** -bits:.6g}]   "
               f"ratio to 4^-b = {value * 4.0 ** bits:.3f}")
    return fig, readout


def codebook_explorer(lloyd_max: Callable, quantizer_mse: Callable, sphere_coordinate_pdf: Callable,
                      bits: int = 3, d: int = 128) -> Explorer:
    """The chapter widget: controls for bits (1..5), d (3..1024, log) and the Gaussian limit.

    Example: ``codebook_explorer(lloyd_max, quantizer_mse, sphere_coordinate_pdf).show(interactive)``
    """
    if d not in D_CHOICES:
        raise ValueError(f"d must be one of {D_CHOICES}, got {d!r}")
    cache: dict = {}
    controls = {
        "bits": widgets.IntSlider(value=bits, min=1, max=5, description="bits b"),
        "d": widgets.SelectionSlider(options=D_CHOICES, value=d, description="dimension d"),
        "gaussian": widgets.Checkbox(value=False, description="Gaussian limit"),
    }

    def draw(bits: int, d: int, gaussian: bool):
        return draw_codebook(lloyd_max, quantizer_mse, sphere_coordinate_pdf, bits, d, gaussian, cache=cache)

    return Explorer(draw, controls, title="Lloyd-Max codebook and distortion rate")

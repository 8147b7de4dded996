"""Explorer for problem 176: the QJL estimator against the sign-sign estimator.

QJL (Zandieh, Daliri, Han 2024, Eqs. 3-4; TurboQuant Def. 1 and Lemma 4) stores only
sign(S k) and |k| for a key k and estimates <q, k> from the full-precision projection S q.
This widget draws many Gaussian matrices S, runs the student's functions on one (q, k) pair
and overlays the histogram of the estimates with the histogram of the symmetric estimator
|q||k|/m <sign(S q), sign(S k)>, which quantises both sides and is biased (its mean is
(1 - 2 theta/pi)|q||k| instead of cos(theta)|q||k|).

The estimator's law depends on S only through its action on span(q, k), so the widget works
in d = 4 to stay fast; nothing about the paper's d = 128 is lost. Not covered: TurboQuant's
residual stage (problem 177).
"""
from __future__ import annotations

from typing import Callable

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np

from mlpapers.widgetkit import Explorer

__all__ = ["M_CHOICES", "qjl_estimates", "draw_qjl", "qjl_explorer"]

M_CHOICES = (8, 16, 32, 64, 128, 256, 512, 1024)
_D = 4  # ambient dimension; only span(q, k) matters for the estimator's law


def _pair(angle_deg: float) -> tuple[np.ndarray, np.ndarray]:
    """Unit q and k in R^4 at the given angle."""
    theta = np.deg2rad(angle_deg)
    q = np.zeros(_D)
    k = np.zeros(_D)
    q[0] = 1.0
    k[0], k[1] = np.cos(theta), np.sin(theta)
    return q, k


def qjl_estimates(m: int, angle_deg: float, quantize: Callable, inner_product: Callable,
                  draws: int = 2000, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Asymmetric (student's) and sign-sign estimates of <q, k> over ``draws`` matrices S.

    Args:
        m: rows of each S.
        angle_deg: angle between the unit vectors q and k, in degrees.
        quantize: the student's ``qjl_quantize(X, S) -> (signs, norms)``.
        inner_product: the student's ``qjl_inner_product(Y, signs, norms, S)``.
        draws: number of independent S.
        seed: seed of the generator that draws every S.

    Returns:
        (asym (draws,), sign_sign (draws,)) float64 arrays.

    Example: ``qjl_estimates(64, 60, qjl_quantize, qjl_inner_product, draws=100)``
    """
    q, k = _pair(angle_deg)
    rng = np.random.default_rng(seed)
    Ss = rng.standard_normal((draws, m, _D))                 # (draws, m, d)
    asym = np.empty(draws)
    for t in range(draws):
        signs, norm = quantize(k, Ss[t])
        asym[t] = float(inner_product(q, signs, norm, Ss[t]))
    sq = np.where(Ss @ q >= 0, 1.0, -1.0)                    # (draws, m)
    sk = np.where(Ss @ k >= 0, 1.0, -1.0)
    sign_sign = np.mean(sq * sk, axis=1) * np.linalg.norm(q) * np.linalg.norm(k)
    return asym, sign_sign


def draw_qjl(m: int, angle_deg: float, *, quantize: Callable, inner_product: Callable,
             variance: Callable, draws: int = 2000, seed: int = 0):
    """Histogram figure and readout for one (m, angle) setting.

    Args:
        m, angle_deg, quantize, inner_product, draws, seed: as in :func:`qjl_estimates`.
        variance: the student's ``qjl_variance(q, k, m)``; draws the +-1 sigma band.

    Returns:
        (matplotlib Figure, readout str).
    """
    q, k = _pair(angle_deg)
    true = float(q @ k)
    asym, ss = qjl_estimates(m, angle_deg, quantize, inner_product, draws, seed)
    sigma = float(np.sqrt(max(float(variance(q, k, m)), 0.0)))
    theta = np.deg2rad(angle_deg)
    ss_mean = 1.0 - 2.0 * theta / np.pi

    fig, ax = plt.subplots(figsize=(6, 3.5))
    lo = min(asym.min(), ss.min(), true - 3 * sigma)
    hi = max(asym.max(), ss.max(), true + 3 * sigma)
    # Sign-sign values are 1 - 2t/m (a lattice of step 2/m): put bin edges between lattice
    # points so the histogram shows no aliasing comb.
    lattice = 2.0 / m
    step = lattice * max(1, int(np.ceil((hi - lo) / 45 / lattice)))
    first = 1.0 + step / 2 - step * np.ceil((1.0 + step / 2 - lo) / step)
    bins = np.arange(first, hi + step, step)
    ax.hist(asym, bins=bins, alpha=0.6, color="tab:blue", label="QJL (asymmetric)")
    ax.hist(ss, bins=bins, alpha=0.5, color="tab:orange", label="sign-sign")
    ax.axvspan(true - sigma, true + sigma, color="tab:blue", alpha=0.12, label="±1σ from qjl_variance")
    ax.axvline(true, color="k", lw=2, label="true ⟨q,k⟩")
    ax.axvline(ss_mean, color="tab:orange", ls="--", lw=1.5, label="sign-sign mean 1−2θ/π")
    ax.set_xlabel("estimate of ⟨q, k⟩")
    ax.set_ylabel(f"count of {len(asym)} draws of S")
    ax.set_title(f"m = {m}, angle = {angle_deg:g}°")
    ax.legend(fontsize=7, loc="upper left")
    fig.tight_layout()
    readout = (f"true <q,k> = {true:+.4f}\n"
               f"QJL:       mean {asym.mean():+.4f}, std {asym.std(ddof=1):.4f} "
               f"(qjl_variance gives std {sigma:.4f})\n"
               f"sign-sign: mean {ss.mean():+.4f} (theory {ss_mean:+.4f}), std {ss.std(ddof=1):.4f}")
    return fig, readout


def qjl_explorer(quantize: Callable, inner_product: Callable, variance: Callable,
                 draws: int = 2000, seed: int = 0) -> Explorer:
    """Explorer with sliders for m (8..1024) and the angle between q and k.

    Example: ``qjl_explorer(qjl_quantize, qjl_inner_product, qjl_variance).show(interactive)``
    """
    controls = {
        "m": widgets.SelectionSlider(options=list(M_CHOICES), value=64, description="m"),
        "angle_deg": widgets.IntSlider(value=60, min=0, max=180, step=5, description="angle (°)"),
    }

    def draw(m, angle_deg):
        return draw_qjl(m, angle_deg, quantize=quantize, inner_product=inner_product,
                        variance=variance, draws=draws, seed=seed)

    return Explorer(draw, controls, title="QJL: asymmetric vs sign-sign estimates")

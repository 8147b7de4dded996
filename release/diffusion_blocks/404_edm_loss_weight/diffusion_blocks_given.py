"""What problem 404 is given from the DiffusionBlocks chapter.

Problems build on each other: once an earlier problem is done, later ones may rely on it
without trusting your own version. This module holds the reference answers that
problem 404 uses, and nothing more:

* ``block_boundaries``: your answer to problem 401
"""
from __future__ import annotations

import math
from statistics import NormalDist
import numpy as np
from mlpapers.arguments import generator, integer, real, real_array, require


__all__ = ["block_boundaries"]


SIGMA_DATA, P_MEAN, P_STD, SIGMA_MIN, SIGMA_MAX = 0.5, -1.2, 1.2, 0.002, 80.0


_erf = np.vectorize(math.erf, otypes=[np.float64])


_inv_cdf = np.vectorize(NormalDist().inv_cdf, otypes=[np.float64])


def _positive_sigmas(sigma, name: str = "sigma") -> np.ndarray:
    s = real_array(sigma, name)
    require(bool(np.all(s > 0)), name, "> 0 everywhere", f"min {s.min() if s.size else None}")
    return s


def _p_params(p_mean, p_std) -> tuple[float, float]:
    p_mean = real(p_mean, "p_mean")
    p_std = real(p_std, "p_std")
    require(p_std > 0, "p_std", "> 0", p_std)
    return p_mean, p_std


def lognormal_cdf(sigma, p_mean: float = P_MEAN, p_std: float = P_STD) -> np.ndarray:
    """Problem 401. F(sigma) = Phi((ln sigma - P_mean) / P_std), elementwise, float64."""
    s = _positive_sigmas(sigma)
    p_mean, p_std = _p_params(p_mean, p_std)
    z = (np.log(s) - p_mean) / p_std
    return 0.5 * (1.0 + _erf(z / math.sqrt(2.0)))


def lognormal_ppf(u, p_mean: float = P_MEAN, p_std: float = P_STD) -> np.ndarray:
    """Problem 401. F^-1(u) = exp(P_mean + P_std * Phi^-1(u)) for u in (0, 1), elementwise."""
    u = real_array(u, "u")
    require(bool(np.all((u > 0) & (u < 1))), "u", "in (0, 1) everywhere")
    p_mean, p_std = _p_params(p_mean, p_std)
    return np.exp(p_mean + p_std * _inv_cdf(u))


def block_boundaries(num_blocks: int, sigma_min: float = SIGMA_MIN, sigma_max: float = SIGMA_MAX,
                     p_mean: float = P_MEAN, p_std: float = P_STD) -> np.ndarray:
    """Problem 401. B + 1 ascending boundaries with equal truncated log-normal mass between them."""
    B = integer(num_blocks, "num_blocks", low=1)
    lo = real(sigma_min, "sigma_min")
    hi = real(sigma_max, "sigma_max")
    require(0 < lo < hi, "sigma_min and sigma_max", "0 < sigma_min < sigma_max", (lo, hi))
    f_lo, f_hi = lognormal_cdf([lo, hi], p_mean, p_std)
    out = np.empty(B + 1)
    out[0], out[B] = lo, hi
    if B > 1:
        out[1:B] = lognormal_ppf(f_lo + (f_hi - f_lo) * np.arange(1, B) / B, p_mean, p_std)
    return out

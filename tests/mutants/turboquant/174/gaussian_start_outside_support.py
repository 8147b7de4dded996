"""Mistake: start plain Lloyd-Max from the Gaussian codebook scaled by 1/sqrt(d), whose outer
centroids lie outside [-1, 1] at small d (d = 3, b >= 3): an empty cell gives 0/0 = NaN."""
import math

import numpy as np

_GAUSS_START = {1: [0.798], 2: [0.453, 1.510], 3: [0.245, 0.756, 1.344, 2.152],
                4: [0.128, 0.388, 0.657, 0.942, 1.256, 1.618, 2.069, 2.733]}


def lloyd_max(bits, d=None, *, tol=1e-12, max_iter=100_000):
    if isinstance(bits, bool) or not isinstance(bits, (int, np.integer)):
        raise TypeError("bits must be an int")
    if not 0 <= bits <= 8:
        raise ValueError("bits must be in 0..8")
    if d is not None:
        if isinstance(d, bool) or not isinstance(d, (int, np.integer)):
            raise TypeError("d must be an int")
        if d < 3:
            raise ValueError("d must be >= 3")
    n = 2 ** bits
    if n == 1:
        return np.zeros(1), np.zeros(0)
    half = np.array(_GAUSS_START.get(bits, np.linspace(0.05, 3.0, n // 2)))
    c = np.concatenate((-half[::-1], half))
    lo, hi = (-np.inf, np.inf) if d is None else (-1.0, 1.0)
    if d is None:
        dens = lambda t: np.exp(-t * t / 2) / math.sqrt(2 * math.pi)
        cdf = lambda t: np.array([0.5 * math.erfc(-v / math.sqrt(2)) for v in t])
        m1 = lambda t: -dens(t)
    else:
        c = c / math.sqrt(d)
        dens = lambda t: sphere_coordinate_pdf(t, d)
        cdf = lambda t: sphere_coordinate_cdf(t, d)
        m1 = lambda t: -(1 - t * t) * dens(t) / (d - 1)
    sigma = 1.0 if d is None else 1 / math.sqrt(d)
    for _ in range(max_iter):
        e = np.clip(np.concatenate(([lo], (c[:-1] + c[1:]) / 2, [hi])), lo, hi)
        with np.errstate(all="ignore"):
            new = np.diff(m1(e)) / np.diff(cdf(e))
        if not np.all(np.isfinite(new)) or np.max(np.abs(new - c)) < tol * sigma:
            c = new
            break
        c = new
    c = (c - c[::-1]) / 2
    return c, (c[:-1] + c[1:]) / 2

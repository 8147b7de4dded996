"""Mistake: stop plain Lloyd-Max after a fixed, small number of iterations (20)."""
import math

import numpy as np


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
    lo, hi = (-np.inf, np.inf) if d is None else (-1.0, 1.0)
    if d is None:
        dens = lambda t: np.exp(-t * t / 2) / math.sqrt(2 * math.pi)
        cdf = lambda t: np.array([0.5 * math.erfc(-v / math.sqrt(2)) for v in t])
        m1 = lambda t: -dens(t)
        c = np.linspace(-2, 2, n)
    else:
        dens = lambda t: sphere_coordinate_pdf(t, d)
        cdf = lambda t: sphere_coordinate_cdf(t, d)
        m1 = lambda t: -(1 - t * t) * dens(t) / (d - 1)
        c = np.linspace(-1, 1, n + 2)[1:-1]
    for _ in range(20):
        e = np.concatenate(([lo], (c[:-1] + c[1:]) / 2, [hi]))
        c = np.diff(m1(e)) / np.diff(cdf(e))
    c = (c - c[::-1]) / 2
    return c, (c[:-1] + c[1:]) / 2

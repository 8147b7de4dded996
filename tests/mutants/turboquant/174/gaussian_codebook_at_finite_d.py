"""Mistake: use the N(0, 1/d) codebook (Gaussian Lloyd-Max divided by sqrt(d)) at finite d."""
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
    phi = lambda t: np.exp(-t * t / 2) / math.sqrt(2 * math.pi)
    Phi = lambda t: np.array([0.5 * math.erfc(-v / math.sqrt(2)) for v in t])
    c = np.linspace(-2, 2, n)
    for _ in range(20000):  # plain Lloyd on N(0, 1), run to convergence
        e = np.concatenate(([-np.inf], (c[:-1] + c[1:]) / 2, [np.inf]))
        new = -np.diff(phi(e)) / np.diff(Phi(e))
        if np.max(np.abs(new - c)) < 1e-13:
            c = new
            break
        c = new
    c = (c - c[::-1]) / 2
    if d is not None:
        c = c / math.sqrt(d)
    return c, (c[:-1] + c[1:]) / 2

"""Mistake: a uniform grid over +-2.5 sigma (clipped to the support) instead of Lloyd-Max."""
import math

import numpy as np


def lloyd_max(bits, d=None, *, tol=1e-12, max_iter=100_000):
    if isinstance(bits, bool) or not isinstance(bits, (int, np.integer)):
        raise TypeError("bits must be an int")
    if not 0 <= bits <= 8:
        raise ValueError("bits must be in 0..8")
    if d is not None and d < 3:
        raise ValueError("d must be >= 3")
    n = 2 ** bits
    reach = 2.5 if d is None else min(2.5 / math.sqrt(d), 1.0)
    c = reach * (2 * np.arange(n) + 1 - n) / n
    return c, (c[:-1] + c[1:]) / 2

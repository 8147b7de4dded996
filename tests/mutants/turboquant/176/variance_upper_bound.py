"""Mistake: returning TurboQuant Lemma 4's upper bound (pi/2m)|q|^2|k|^2 as the exact variance."""
import numpy as np


def qjl_variance(q, k, m):
    q = np.asarray(q, dtype=float)
    k = np.asarray(k, dtype=float)
    return float(np.pi / 2 * (q @ q) * (k @ k) / m)

"""Inverted ratio E|z| / |E z| (>= 1) instead of |E z| / E|z|."""
import numpy as np


def mean_resultant_length(x, positions=None, base=10000.0):
    mu = qk_abs_mean(x)
    x = np.asarray(x, dtype=np.float64)
    if positions is not None:
        positions = np.asarray(positions, dtype=np.float64)
        if positions.shape != (x.shape[0],):
            raise ValueError("positions must have shape (n,)")
        x = apply_rope(x, positions, base)
    length = np.abs(qk_centre(x))
    return np.where(length > 0, mu / np.where(length > 0, length, 1.0), 0.0)

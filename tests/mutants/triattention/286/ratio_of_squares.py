"""Ratio of squares |E z|^2 / E|z|^2 instead of |E z| / E|z|."""
import numpy as np


def mean_resultant_length(x, positions=None, base=10000.0):
    qk_abs_mean(x)
    x = np.asarray(x, dtype=np.float64)
    if positions is not None:
        positions = np.asarray(positions, dtype=np.float64)
        if positions.shape != (x.shape[0],):
            raise ValueError("positions must have shape (n,)")
        x = apply_rope(x, positions, base)
    z = to_complex_pairs(x)
    second = (np.abs(z) ** 2).mean(axis=0)
    return np.where(second > 0, np.abs(z.mean(axis=0)) ** 2 / np.where(second > 0, second, 1.0), 0.0)

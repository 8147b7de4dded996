"""Textbook circular statistic |mean(z / |z|)|: ignores the lengths, differs when norms vary."""
import numpy as np


def mean_resultant_length(x, positions=None, base=10000.0):
    mu = qk_abs_mean(x)
    x = np.asarray(x, dtype=np.float64)
    if positions is not None:
        positions = np.asarray(positions, dtype=np.float64)
        if positions.shape != (x.shape[0],):
            raise ValueError("positions must have shape (n,)")
        x = apply_rope(x, positions, base)
    z = to_complex_pairs(x)
    size = np.abs(z)
    unit = np.where(size > 0, z / np.where(size > 0, size, 1.0), 0.0)
    return np.abs(unit.mean(axis=0))

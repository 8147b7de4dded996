"""Ignoring the positions argument: always the pre-RoPE concentration."""
import numpy as np


def mean_resultant_length(x, positions=None, base=10000.0):
    mu = qk_abs_mean(x)
    if positions is not None:
        positions = np.asarray(positions, dtype=np.float64)
        if positions.shape != (np.asarray(x).shape[0],):
            raise ValueError("positions must have shape (n,)")
    length = np.abs(qk_centre(x))
    return np.where(mu > 0, length / np.where(mu > 0, mu, 1.0), 0.0)

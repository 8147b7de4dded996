"""Statistics per real coordinate (d values) instead of per complex frequency pair (d/2 values)."""
import numpy as np


def _check(x):
    x = np.asarray(x)
    if np.iscomplexobj(x):
        raise TypeError("x must be real")
    if x.ndim != 2 or x.shape[0] == 0 or x.shape[1] == 0 or x.shape[1] % 2:
        raise ValueError("x must be 2-D (n, d) with an even d")
    return x.astype(np.float64)


def qk_centre(x):
    return _check(x).mean(axis=0).astype(np.complex128)


def qk_abs_mean(x):
    return np.abs(_check(x)).mean(axis=0)


def mean_resultant_length(x, positions=None, base=10000.0):
    x = _check(x)
    if positions is not None:
        positions = np.asarray(positions, dtype=np.float64)
        if positions.shape != (x.shape[0],):
            raise ValueError("positions must have shape (n,)")
        x = apply_rope(x, positions, base)
    mu = np.abs(x).mean(axis=0)
    return np.where(mu > 0, np.abs(x.mean(axis=0)) / np.where(mu > 0, mu, 1.0), 0.0)

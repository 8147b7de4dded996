"""Mistake: rotate back with Pi instead of Pi^T (X_hat rows = centroids[idx] @ Pi.T)."""
import numpy as np


def tq_mse_dequantize(idx, norms, Pi, centroids):
    idx = np.asarray(idx)
    if idx.dtype.kind not in "iu":
        raise TypeError("idx must be integer")
    c = np.asarray(centroids, dtype=float)
    if idx.size and (idx.min() < 0 or idx.max() >= c.size):
        raise ValueError("idx out of range")
    Pi = np.asarray(Pi, dtype=float)
    if Pi.shape != (idx.shape[-1],) * 2:
        raise ValueError("bad Pi")
    norms = np.asarray(norms, dtype=float)
    if norms.shape != idx.shape[:-1]:
        raise ValueError("bad norms")
    return norms[..., None] * (c[idx] @ Pi.T)

"""Mistake: divide by the norm without guarding the zero vector (NaN coordinates, garbage indices)."""
import numpy as np


def tq_mse_quantize(X, Pi, centroids):
    X = np.asarray(X, dtype=float)
    if X.ndim not in (1, 2) or not np.all(np.isfinite(X)):
        raise ValueError("bad X")
    Pi = np.asarray(Pi, dtype=float)
    if Pi.shape != (X.shape[-1],) * 2:
        raise ValueError("bad Pi")
    c = np.asarray(centroids, dtype=float)
    if c.ndim != 1 or c.size > 256 or c.size & (c.size - 1) or np.any(np.diff(c) <= 0):
        raise ValueError("bad centroids")
    norms = np.linalg.norm(X, axis=-1)
    with np.errstate(all="ignore"):
        Y = (X / norms[..., None]) @ Pi.T
    idx = np.searchsorted((c[:-1] + c[1:]) / 2, Y, side="left").astype(np.uint8)
    return idx, norms

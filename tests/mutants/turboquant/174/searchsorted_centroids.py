"""Mistake: np.searchsorted(centroids, v), an insertion point rather than the nearest centroid."""
import numpy as np


def nearest_centroid(values, centroids):
    c = np.asarray(centroids, dtype=float)
    if c.ndim != 1 or c.size == 0 or np.any(np.diff(c) <= 0):
        raise ValueError("centroids must be strictly increasing")
    v = np.asarray(values, dtype=float)
    return np.minimum(np.searchsorted(c, v), c.size - 1).astype(np.int64)

"""Mistake: a value exactly between two centroids goes to the upper index (searchsorted side='right')."""
import numpy as np


def nearest_centroid(values, centroids):
    c = np.asarray(centroids, dtype=float)
    if c.ndim != 1 or c.size == 0 or np.any(np.diff(c) <= 0):
        raise ValueError("centroids must be strictly increasing")
    v = np.asarray(values, dtype=float)
    return np.searchsorted((c[:-1] + c[1:]) / 2, v, side="right").astype(np.int64)

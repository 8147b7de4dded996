"""Mistake: estimate the MSE by sampling (200 000 draws: about 0.3 % noise) instead of integrating."""
import math

import numpy as np


def quantizer_mse(centroids, d=None):
    c = np.asarray(centroids, dtype=float)
    if c.ndim != 1 or c.size == 0 or np.any(np.diff(c) <= 0):
        raise ValueError("centroids must be strictly increasing")
    if d is not None and d < 3:
        raise ValueError("d must be >= 3")
    rng = np.random.default_rng(0)
    if d is None:
        x = rng.standard_normal(200_000)
    else:
        g = rng.standard_normal((200_000, 3))
        x = g[:, 0] / np.sqrt(np.sum(g ** 2, axis=1) + rng.chisquare(d - 3, 200_000)) if d > 3 else \
            g[:, 0] / np.linalg.norm(g, axis=1)
    idx = np.argmin(np.abs(x[:, None] - c), axis=1)
    return float(np.mean((x - c[idx]) ** 2))

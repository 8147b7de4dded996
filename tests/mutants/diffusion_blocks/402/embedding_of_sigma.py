"""sigma_embedding embeds sigma itself instead of c_noise = ln(sigma) / 4."""
import numpy as np


def sigma_embedding(sigma, dim, max_period=10000.0):
    s = np.asarray(sigma, dtype=np.float64).reshape(-1)
    half = dim // 2
    omega = np.exp(-np.log(max_period) * np.arange(half) / half)
    angles = s[:, None] * omega[None, :]
    return np.concatenate([np.cos(angles), np.sin(angles)], axis=1)

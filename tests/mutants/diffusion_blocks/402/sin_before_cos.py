"""sigma_embedding puts the sines first: [sin | cos] instead of DiT's [cos | sin]."""
import numpy as np


def sigma_embedding(sigma, dim, max_period=10000.0):
    s = np.asarray(sigma, dtype=np.float64).reshape(-1)
    half = dim // 2
    omega = np.exp(-np.log(max_period) * np.arange(half) / half)
    angles = (0.25 * np.log(s))[:, None] * omega[None, :]
    return np.concatenate([np.sin(angles), np.cos(angles)], axis=1)

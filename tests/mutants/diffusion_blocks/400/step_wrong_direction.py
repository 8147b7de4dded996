"""Stepping the wrong way: (sigma - sigma_next) instead of (sigma_next - sigma), so x moves away from D."""
import numpy as np


def pfode_euler_step(x, denoised, sigma, sigma_next):
    x = np.asarray(x, dtype=np.float64)
    d = np.asarray(denoised, dtype=np.float64)
    if x.shape != d.shape:
        raise ValueError("denoised must be shaped like x")
    return x + (sigma - sigma_next) * (x - d) / sigma

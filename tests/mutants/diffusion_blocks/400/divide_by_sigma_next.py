"""Dividing the slope by sigma_next instead of sigma (a step to sigma_next = 0 gives inf or NaN)."""
import numpy as np


def pfode_euler_step(x, denoised, sigma, sigma_next):
    x = np.asarray(x, dtype=np.float64)
    d = np.asarray(denoised, dtype=np.float64)
    if x.shape != d.shape:
        raise ValueError("denoised must be shaped like x")
    with np.errstate(divide="ignore", invalid="ignore"):
        return x + (sigma_next - sigma) * (x - d) / sigma_next

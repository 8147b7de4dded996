"""Summing (D - y)^2 over each example's features instead of averaging them."""
import numpy as np


def edm_loss(denoised, clean, sigma, sigma_data=0.5):
    D = np.asarray(denoised, dtype=np.float64)
    y = np.asarray(clean, dtype=np.float64)
    s = np.asarray(sigma, dtype=np.float64)
    sd = float(sigma_data)
    if D.shape != y.shape or s.shape != (D.shape[0],):
        raise ValueError("shape mismatch")
    per_example = ((D - y) ** 2).reshape(D.shape[0], -1).sum(axis=1)
    lam = (s * s + sd * sd) / (s * sd) ** 2
    return float(np.mean(lam * per_example))

"""c_noise = ln(sigma) instead of EDM's ln(sigma) / 4."""
import numpy as np


def edm_precond(sigma, sigma_data=0.5):
    s = np.asarray(sigma, dtype=np.float64)
    if np.any(s <= 0):
        raise ValueError("sigma must be > 0 everywhere")
    sd = float(sigma_data)
    total = s * s + sd * sd
    return sd * sd / total, s * sd / np.sqrt(total), 1.0 / np.sqrt(total), np.log(s)

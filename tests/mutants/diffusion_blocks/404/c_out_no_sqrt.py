"""c_out without the square root: sigma sigma_data / (sigma^2 + sigma_data^2), so lambda c_out^2 is no longer 1."""
import numpy as np


def edm_precond(sigma, sigma_data=0.5):
    s = np.asarray(sigma, dtype=np.float64)
    if np.any(s <= 0):
        raise ValueError("sigma must be > 0 everywhere")
    sd = float(sigma_data)
    total = s * s + sd * sd
    return sd * sd / total, s * sd / total, 1.0 / np.sqrt(total), 0.25 * np.log(s)

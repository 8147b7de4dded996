"""Loss weight 1/sigma^2 (the noise-prediction habit) instead of lambda = (sigma^2 + sigma_data^2) / (sigma sigma_data)^2."""
import numpy as np


def edm_loss(denoised, clean, sigma, sigma_data=0.5):
    D = np.asarray(denoised, dtype=np.float64)
    y = np.asarray(clean, dtype=np.float64)
    s = np.asarray(sigma, dtype=np.float64)
    if D.shape != y.shape or s.shape != (D.shape[0],):
        raise ValueError("shape mismatch")
    per_example = ((D - y) ** 2).reshape(D.shape[0], -1).mean(axis=1)
    return float(np.mean(per_example / s ** 2))

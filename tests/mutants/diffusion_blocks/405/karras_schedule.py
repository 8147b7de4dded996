"""Karras et al.'s rho = 7 schedule (EDM Eq. 5) instead of equal steps of the log-normal CDF."""
import numpy as np


def inference_sigmas(num_steps, sigma_min=0.002, sigma_max=80.0, p_mean=-1.2, p_std=1.2):
    n = int(num_steps)
    if n < 2:
        raise ValueError("num_steps must be >= 2")
    rho = 7.0
    i = np.arange(n) / (n - 1)
    out = (sigma_max ** (1 / rho) + i * (sigma_min ** (1 / rho) - sigma_max ** (1 / rho))) ** rho
    out[0], out[-1] = sigma_max, sigma_min
    return out

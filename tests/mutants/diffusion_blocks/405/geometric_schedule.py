"""Log-uniform (geometric) levels between sigma_max and sigma_min instead of equal steps of the log-normal CDF."""
import numpy as np


def inference_sigmas(num_steps, sigma_min=0.002, sigma_max=80.0, p_mean=-1.2, p_std=1.2):
    n = int(num_steps)
    if n < 2:
        raise ValueError("num_steps must be >= 2")
    out = np.geomspace(sigma_max, sigma_min, n)
    out[0], out[-1] = sigma_max, sigma_min
    return out

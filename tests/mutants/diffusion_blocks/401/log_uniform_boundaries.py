"""Log-uniform (geometric) boundaries: equal width in ln(sigma) instead of equal log-normal mass."""
import numpy as np


def block_boundaries(num_blocks, sigma_min=0.002, sigma_max=80.0, p_mean=-1.2, p_std=1.2):
    B = int(num_blocks)
    out = np.exp(np.linspace(np.log(sigma_min), np.log(sigma_max), B + 1))
    out[0], out[B] = sigma_min, sigma_max
    return out

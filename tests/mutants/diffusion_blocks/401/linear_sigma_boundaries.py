"""Boundaries spaced linearly in sigma: equal width in sigma, ignoring the log-normal distribution."""
import numpy as np


def block_boundaries(num_blocks, sigma_min=0.002, sigma_max=80.0, p_mean=-1.2, p_std=1.2):
    B = int(num_blocks)
    out = np.linspace(sigma_min, sigma_max, B + 1)
    out[0], out[B] = sigma_min, sigma_max
    return out

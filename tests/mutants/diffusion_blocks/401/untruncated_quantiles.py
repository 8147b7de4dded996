"""Quantiles b / B of the untruncated log-normal: ignores that only [sigma_min, sigma_max] is used (~3e-5 off)."""
import numpy as np


def block_boundaries(num_blocks, sigma_min=0.002, sigma_max=80.0, p_mean=-1.2, p_std=1.2):
    B = int(num_blocks)
    out = np.empty(B + 1)
    out[0], out[B] = sigma_min, sigma_max
    out[1:B] = lognormal_ppf(np.arange(1, B) / B, p_mean, p_std)  # noqa: F821 (the notebook's provided F^-1)
    return out

"""Rejection sampling: draws from the whole truncated log-normal and keeps those inside the block.

The distribution is right, but it calls rng.random again and again, so the stream (and every draw at a
fixed seed) differs from the one-call inverse-CDF sampler.
"""
import numpy as np

from diffusion_blocks_given import lognormal_cdf, lognormal_ppf
from mlpapers.arguments import generator, integer


def sample_block_sigmas(block, boundaries, n, rng, overlap=0.0, p_mean=-1.2, p_std=1.2):
    rng = generator(rng)
    n = integer(n, "n", low=1)
    b = np.asarray(boundaries, dtype=np.float64)
    lo, hi = block_sigma_range(block, b, overlap)
    f_min, f_max = lognormal_cdf([b[0], b[-1]], p_mean, p_std)
    kept = np.empty(0)
    while kept.size < n:
        s = lognormal_ppf(f_min + (f_max - f_min) * rng.random(n), p_mean, p_std)
        kept = np.concatenate([kept, s[(s >= lo) & (s < hi)]])
    return kept[:n]

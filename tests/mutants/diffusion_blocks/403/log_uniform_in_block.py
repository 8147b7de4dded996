"""Log-uniform draws inside the block: sigma = lo * (hi / lo)**r instead of F^-1 of a uniform in [F(lo), F(hi))."""
import math

import numpy as np

from mlpapers.arguments import generator, integer


def sample_block_sigmas(block, boundaries, n, rng, overlap=0.0, p_mean=-1.2, p_std=1.2):
    rng = generator(rng)
    n = integer(n, "n", low=1)
    lo, hi = block_sigma_range(block, boundaries, overlap)
    return lo * np.exp(math.log(hi / lo) * rng.random(n))

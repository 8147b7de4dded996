"""Block index in ascending-sigma order: block 0 gets the cleanest range [b[0], b[1]] instead of the noisiest."""
import math

import numpy as np


def block_sigma_range(block, boundaries, overlap=0.0):
    b = np.asarray(boundaries, dtype=np.float64)
    lo, hi = b[block], b[block + 1]
    w = math.log(hi) - math.log(lo)
    lo = max(lo * math.exp(-overlap * w), b[0])
    hi = min(hi * math.exp(overlap * w), b[-1])
    return float(lo), float(hi)

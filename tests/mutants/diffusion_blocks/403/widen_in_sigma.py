"""Overlap widening in sigma, lo - overlap * (hi - lo) and hi + overlap * (hi - lo), instead of in ln(sigma)."""
import numpy as np


def block_sigma_range(block, boundaries, overlap=0.0):
    b = np.asarray(boundaries, dtype=np.float64)
    B = b.size - 1
    lo, hi = b[B - 1 - block], b[B - block]
    width = hi - lo
    lo = max(lo - overlap * width, b[0])
    hi = min(hi + overlap * width, b[-1])
    return float(lo), float(hi)

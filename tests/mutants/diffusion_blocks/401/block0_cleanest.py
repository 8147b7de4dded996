"""Blocks numbered in ascending sigma order: block 0 gets the cleanest range instead of the noisiest."""
import numpy as np


def assign_block(sigma, boundaries):
    s = np.asarray(sigma, dtype=np.float64)
    b = np.asarray(boundaries, dtype=np.float64)
    B = b.size - 1
    bucket = np.clip(np.searchsorted(b, s, side="right") - 1, 0, B - 1)
    return np.asarray(bucket, dtype=np.int64)

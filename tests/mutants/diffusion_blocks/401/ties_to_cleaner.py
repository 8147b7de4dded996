"""A sigma exactly on an interior boundary goes to the cleaner block (searchsorted side='left')."""
import numpy as np


def assign_block(sigma, boundaries):
    s = np.asarray(sigma, dtype=np.float64)
    b = np.asarray(boundaries, dtype=np.float64)
    B = b.size - 1
    bucket = np.clip(np.searchsorted(b, s, side="left") - 1, 0, B - 1)
    return np.asarray(B - 1 - bucket, dtype=np.int64)

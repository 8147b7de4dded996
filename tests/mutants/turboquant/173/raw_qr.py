"""Mistake: return the raw Q of np.linalg.qr, without the sign fix (not Haar: Q[0, 0] <= 0 always)."""
import numpy as np


def random_rotation(d, rng):
    if isinstance(d, bool) or not isinstance(d, (int, np.integer)):
        raise TypeError("d must be an int")
    if d < 1:
        raise ValueError("d must be >= 1")
    if not isinstance(rng, np.random.Generator):
        raise TypeError("rng must be a Generator")
    return np.linalg.qr(rng.standard_normal((d, d)))[0]

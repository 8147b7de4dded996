"""Rounding ties away from zero (np.floor(v / step + 0.5)): 0.25 -> 0.5, 2.5 -> 3, 5 -> 6 instead of the even code."""
import numpy as np


def round_to_e2m1(x):
    x = np.asarray(x, dtype=np.float64)
    mag = np.minimum(np.abs(x), 6.0)
    with np.errstate(divide="ignore"):
        exponent = np.floor(np.log2(np.where(mag > 0, mag, 1.0)))
    step = np.exp2(np.maximum(exponent, 0.0) - 1.0)
    return np.sign(x) * np.minimum(np.floor(mag / step + 0.5) * step, 6.0)

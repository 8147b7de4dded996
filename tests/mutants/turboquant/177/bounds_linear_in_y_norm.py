"""Mistake: Theorem 2/3's bounds scaled by |y| instead of |y|^2."""
import numpy as np


def prod_distortion_bounds(bits, d, y_norm=1.0):
    low = y_norm / d * 4.0 ** (-bits)
    return low, float(np.sqrt(3) * np.pi ** 2 * low)

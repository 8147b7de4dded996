"""Mistake: compute the normaliser with math.gamma, which overflows for d >= 344."""
import math

import numpy as np


def sphere_coordinate_pdf(x, d):
    if isinstance(d, bool) or not isinstance(d, (int, np.integer)):
        raise TypeError("d must be an int")
    if d < 2:
        raise ValueError("d must be >= 2")
    x = np.asarray(x, dtype=float)
    c = math.gamma(d / 2) / (math.sqrt(math.pi) * math.gamma((d - 1) / 2))
    inside = np.abs(x) < 1
    xs = np.where(inside, x, 0.0)
    return np.where(inside, c * (1 - xs * xs) ** ((d - 3) / 2), 0.0)

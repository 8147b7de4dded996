"""Mistake: use the N(0, 1/d) density instead of Lemma 1 (far off at small d, 0.6 % off at d = 128)."""
import math

import numpy as np


def sphere_coordinate_pdf(x, d):
    if isinstance(d, bool) or not isinstance(d, (int, np.integer)):
        raise TypeError("d must be an int")
    if d < 2:
        raise ValueError("d must be >= 2")
    x = np.asarray(x, dtype=float)
    return np.where(np.abs(x) < 1, math.sqrt(d / (2 * math.pi)) * np.exp(-d * x * x / 2), 0.0)

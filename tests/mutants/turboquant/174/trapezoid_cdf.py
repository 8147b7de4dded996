"""Mistake: a coarse trapezoid rule for the CDF (200 points on [-1, x]), poor where f_d is steep."""
import numpy as np


def sphere_coordinate_cdf(x, d):
    if isinstance(d, bool) or not isinstance(d, (int, np.integer)):
        raise TypeError("d must be an int")
    if d < 2:
        raise ValueError("d must be >= 2")
    t = np.clip(np.asarray(x, dtype=float), -1.0, 1.0)
    out = np.empty(t.shape)
    for i, v in np.ndenumerate(t):
        g = np.linspace(-1.0, v, 200)
        f = sphere_coordinate_pdf(g, d)
        out[i] = np.sum((f[1:] + f[:-1]) / 2 * np.diff(g))
    return out

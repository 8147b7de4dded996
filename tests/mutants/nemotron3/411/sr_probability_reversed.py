"""Stochastic rounding up with probability (hi - |v|) / (hi - lo): biased towards the farther neighbour."""
import numpy as np


def stochastic_round_e2m1(x, rng):
    x = np.asarray(x, dtype=np.float64)
    u = rng.random(x.shape)
    grid = np.array([0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0])
    mag = np.minimum(np.abs(x), 6.0)
    i = np.clip(np.searchsorted(grid, mag, side="right") - 1, 0, 7)
    lo, hi = grid[i], grid[np.minimum(i + 1, 7)]
    gap = hi - lo
    p_up = np.where((gap > 0) & (mag > lo), (hi - mag) / np.where(gap > 0, gap, 1.0), 0.0)
    return np.sign(x) * np.where(u < p_up, hi, lo)

"""Stochastic rounding with a fair coin: up with probability 1/2 whatever the position between the neighbours."""
import numpy as np


def stochastic_round_e2m1(x, rng):
    x = np.asarray(x, dtype=np.float64)
    u = rng.random(x.shape)
    grid = np.array([0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0])
    mag = np.minimum(np.abs(x), 6.0)
    i = np.clip(np.searchsorted(grid, mag, side="right") - 1, 0, 7)
    lo, hi = grid[i], grid[np.minimum(i + 1, 7)]
    p_up = np.where((hi > lo) & (mag > lo), 0.5, 0.0)
    return np.sign(x) * np.where(u < p_up, hi, lo)

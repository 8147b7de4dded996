"""Truncating onto the grid (the largest grid value <= |v|) instead of rounding to the nearest one."""
import numpy as np


def round_to_e2m1(x):
    x = np.asarray(x, dtype=np.float64)
    grid = np.array([0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0])
    mag = np.minimum(np.abs(x), 6.0)
    return np.sign(x) * grid[np.searchsorted(grid, mag, side="right") - 1]

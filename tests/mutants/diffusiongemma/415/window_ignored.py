"""Mistake: the stability test ignores the window and compares only the last two argmax canvases."""
import numpy as np


def is_stable(argmax_history, window):
    h = np.asarray(argmax_history)
    B = h.shape[1]
    if window == 0:
        return np.ones(B, dtype=bool)
    if h.shape[0] < 2:
        return np.zeros(B, dtype=bool)
    return np.all(h[-1] == h[-2], axis=-1)

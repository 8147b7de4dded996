"""Mistake: with fewer than window + 1 canvases the history counts as stable (the very first step is
"stable" because there is nothing to disagree with)."""
import numpy as np


def is_stable(argmax_history, window):
    h = np.asarray(argmax_history)
    recent = h[-(window + 1):]
    return np.all(recent == recent[-1], axis=(0, 2))

"""Mistake: the running sum is taken in position order (left to right) instead of over the entropies
sorted ascending."""
import numpy as np


def entropy_bounded_accept(entropy, gamma):
    h = np.asarray(entropy, dtype=float)
    return (np.cumsum(h, axis=-1) - h) <= gamma

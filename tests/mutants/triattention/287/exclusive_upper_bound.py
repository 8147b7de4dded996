"""Searches 0 … max_distance − 1 (np.arange(max_distance)): the upper end is left out."""
import numpy as np


def preferred_distance(q_centre, k_centre, max_distance, base=10000.0):
    if isinstance(max_distance, bool) or not isinstance(max_distance, (int, np.integer)):
        raise TypeError("max_distance must be an int")
    if max_distance < 0:
        raise ValueError("max_distance must be >= 0")
    curve = distance_preference(q_centre, k_centre, np.arange(max(int(max_distance), 1)), base)
    return int(np.argmax(curve))

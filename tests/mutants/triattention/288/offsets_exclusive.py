"""Offsets stop below max_offset (exclusive bound): geometric_offsets(64) misses 64."""
import numpy as np


def geometric_offsets(max_offset=65536):
    if isinstance(max_offset, bool) or not isinstance(max_offset, (int, np.integer)):
        raise TypeError("max_offset must be an int")
    if max_offset < 1:
        raise ValueError("max_offset must be >= 1")
    out = [1.0]
    while out[-1] * 2 < max_offset:
        out.append(out[-1] * 2)
    return np.array(out)

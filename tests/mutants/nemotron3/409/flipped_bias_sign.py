"""The bias update has its sign flipped: overloaded experts gain bias and attract even more tokens."""
import numpy as np


def update_expert_bias(e_bias, counts, update_rate):
    e_bias = np.array(e_bias, dtype=np.float64)
    counts = np.asarray(counts, dtype=np.float64)
    return e_bias + update_rate * np.sign(counts - counts.mean())

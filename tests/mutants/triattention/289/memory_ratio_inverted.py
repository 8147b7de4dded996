"""Reports budget / total instead of total / budget (0.094 instead of 10.7)."""
import numpy as np


def kv_memory_reduction(total_tokens, budget):
    for name, value in (("total_tokens", total_tokens), ("budget", budget)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise TypeError(f"{name} must be an int")
        if value < 1:
            raise ValueError(f"{name} must be >= 1")
    return min(int(budget), int(total_tokens)) / float(total_tokens)

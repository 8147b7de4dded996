"""Mistake: the logits are multiplied by T instead of divided (T < 1 then flattens the distribution)."""
import numpy as np


def apply_temperature(logits, temperature):
    if temperature <= 0:
        raise ValueError("temperature must be > 0")
    return np.asarray(logits, dtype=np.float64) * temperature

"""Mistake: apply_temperature divides the caller's float array in place (`z /= T`) and returns it."""
import numpy as np


def apply_temperature(logits, temperature):
    if temperature <= 0:
        raise ValueError("temperature must be > 0")
    z = np.asarray(logits, dtype=np.float64)
    z /= temperature
    return z

"""Mistake: the schedule is reversed, so sampling heats up from t_min towards t_max."""
import numpy as np


def temperature_schedule(num_steps, t_max=0.8, t_min=0.4, exponent=1.0):
    if num_steps < 1:
        raise ValueError("num_steps must be >= 1")
    if t_min <= 0:
        raise ValueError("t_min must be > 0")
    if t_max < t_min:
        raise ValueError("t_max must be >= t_min")
    if exponent <= 0:
        raise ValueError("exponent must be > 0")
    return t_min + (t_max - t_min) * (np.arange(num_steps) / num_steps) ** exponent

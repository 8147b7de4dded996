"""Mistake: no validation, so t_max < t_min (a heating schedule) and t_min <= 0 pass silently."""
import numpy as np


def temperature_schedule(num_steps, t_max=0.8, t_min=0.4, exponent=1.0):
    return t_min + (t_max - t_min) * (1.0 - (np.arange(num_steps) / num_steps) ** exponent)

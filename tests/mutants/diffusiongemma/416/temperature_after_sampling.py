"""Mistake: the step runs on the raw logits and the temperature is applied only afterwards."""
import numpy as np


def tempered_denoise_step(logits, step, num_steps, gamma, rng, t_max=0.8, t_min=0.4, exponent=1.0):
    if not 0 <= step < num_steps:
        raise ValueError("step out of range")
    temps = temperature_schedule(num_steps, t_max, t_min, exponent)
    next_canvas, accepted, sampled = denoise_step(np.asarray(logits, dtype=float), gamma, rng)
    return next_canvas, accepted, sampled, apply_temperature(logits, float(temps[step]))

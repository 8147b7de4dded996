"""Mistake: candidates are sampled from the shaped logits but acceptance uses the RAW logits' entropy."""
import numpy as np

from diffusiongemma_given import sample_tokens


def tempered_denoise_step(logits, step, num_steps, gamma, rng, t_max=0.8, t_min=0.4, exponent=1.0):
    if not 0 <= step < num_steps:
        raise ValueError("step out of range")
    temps = temperature_schedule(num_steps, t_max, t_min, exponent)
    shaped = apply_temperature(logits, float(temps[step]))
    B, L, V = shaped.shape
    sampled = sample_tokens(shaped, rng)
    accepted = entropy_bounded_accept(token_entropy(np.asarray(logits, dtype=float)), gamma)
    noise = rng.integers(0, V, size=(B, L))
    return np.where(accepted, sampled, noise), accepted, sampled, shaped


"""Mistake: denoise_step draws the renoising tokens BEFORE the candidates (changes every output)."""
import numpy as np


def denoise_step(logits, gamma, rng):
    z = np.asarray(logits, dtype=float)
    B, L, V = z.shape
    noise = rng.integers(0, V, size=(B, L))
    sampled = sample_tokens(z, rng)
    accepted = entropy_bounded_accept(token_entropy(z), gamma)
    return np.where(accepted, sampled, noise).astype(np.int64), accepted, sampled

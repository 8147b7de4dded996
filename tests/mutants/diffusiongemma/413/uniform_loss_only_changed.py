"""Mistake: the uniform loss scores only positions where x_t != x_0 (the MDLM habit); a uniform-state
model cannot know which tokens are noise, so DiffusionGemma scores every valid position."""
import numpy as np


def denoising_loss(logits, x0, xt, t, vocab_size, process="uniform", valid_mask=None):
    z = np.asarray(logits, dtype=float)
    x0, xt, t = np.asarray(x0), np.asarray(xt), np.asarray(t, dtype=float)
    B, L, V = z.shape
    valid = np.ones((B, L), bool) if valid_mask is None else np.asarray(valid_mask)
    m = z.max(-1, keepdims=True)
    logp = z - m - np.log(np.exp(z - m).sum(-1, keepdims=True))
    nll = -np.take_along_axis(logp, x0[..., None], -1)[..., 0]
    n = np.maximum(valid.sum(-1), 1)
    if process == "uniform":
        return np.where(valid & (xt != x0), nll, 0.0).sum(-1) / n
    return np.where(valid & (xt == V), nll, 0.0).sum(-1) / n / t

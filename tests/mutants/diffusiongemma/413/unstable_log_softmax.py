"""Mistake: log-softmax computed as log(exp(z) / sum exp(z)) without subtracting the max: overflows for
large logits (NaN/inf loss)."""
import numpy as np


def denoising_loss(logits, x0, xt, t, vocab_size, process="uniform", valid_mask=None):
    z = np.asarray(logits, dtype=float)
    x0, xt, t = np.asarray(x0), np.asarray(xt), np.asarray(t, dtype=float)
    B, L, V = z.shape
    valid = np.ones((B, L), bool) if valid_mask is None else np.asarray(valid_mask)
    with np.errstate(all="ignore"):
        p = np.exp(z) / np.exp(z).sum(-1, keepdims=True)
        nll = -np.log(np.take_along_axis(p, x0[..., None], -1)[..., 0])
    n = np.maximum(valid.sum(-1), 1)
    scored = valid if process == "uniform" else valid & (xt == V)
    loss = np.where(scored, nll, 0.0).sum(-1) / n
    return loss / t if process == "mask" else loss

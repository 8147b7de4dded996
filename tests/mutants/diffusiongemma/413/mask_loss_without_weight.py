"""Mistake: the MDLM loss without its 1/t weight (the ELBO's weighting of the masked cross-entropy)."""
import numpy as np


def denoising_loss(logits, x0, xt, t, vocab_size, process="uniform", valid_mask=None):
    z = np.asarray(logits, dtype=float)
    x0, xt = np.asarray(x0), np.asarray(xt)
    B, L, V = z.shape
    valid = np.ones((B, L), bool) if valid_mask is None else np.asarray(valid_mask)
    m = z.max(-1, keepdims=True)
    logp = z - m - np.log(np.exp(z - m).sum(-1, keepdims=True))
    nll = -np.take_along_axis(logp, x0[..., None], -1)[..., 0]
    n = np.maximum(valid.sum(-1), 1)
    scored = valid if process == "uniform" else valid & (xt == V)
    return np.where(scored, nll, 0.0).sum(-1) / n

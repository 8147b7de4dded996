"""Mistake: entropy as -sum p log p without guarding zero probabilities: 0 * (-inf) = NaN for -inf logits."""
import numpy as np


def token_entropy(logits):
    z = np.asarray(logits, dtype=float)
    m = z.max(axis=-1, keepdims=True)
    with np.errstate(all="ignore"):
        logp = z - m - np.log(np.exp(z - m).sum(axis=-1, keepdims=True))
        return -(np.exp(logp) * logp).sum(axis=-1)

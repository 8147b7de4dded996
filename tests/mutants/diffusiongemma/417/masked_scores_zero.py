"""Mistake: disallowed scores are set to 0 instead of -inf, so masked keys still get weight."""
import math

import numpy as np


def masked_attention(q, k, v, mask):
    q, k, v = (np.asarray(x, dtype=np.float64) for x in (q, k, v))
    mask = np.asarray(mask)
    if mask.dtype != bool:
        raise TypeError("mask must be boolean")
    if mask.shape != (q.shape[0], k.shape[0]) or not mask.any(axis=1).all():
        raise ValueError("bad mask")
    s = np.where(mask, q @ k.T / math.sqrt(q.shape[1]), 0.0)
    w = np.exp(s - s.max(axis=1, keepdims=True))
    return (w / w.sum(axis=1, keepdims=True)) @ v

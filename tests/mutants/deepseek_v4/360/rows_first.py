"""Normalising rows first (the order of the released kernel, without its transpose): columns end exact, rows not."""
import numpy as np


def sinkhorn_knopp(logits, n_iters=20):
    L = np.asarray(logits, dtype=np.float64)
    if L.ndim < 2 or L.shape[-1] != L.shape[-2]:
        raise ValueError("logits must be of shape (..., n, n)")
    M = np.exp(L - L.max(axis=(-2, -1), keepdims=True))
    for _ in range(n_iters):
        M = M / M.sum(axis=-1, keepdims=True)
        M = M / M.sum(axis=-2, keepdims=True)
    return M

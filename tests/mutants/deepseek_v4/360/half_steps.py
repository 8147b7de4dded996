"""Counting each half-step as an iteration: n_iters = 20 gives only 10 full sweeps, n_iters = 1 a lone column step."""
import numpy as np


def sinkhorn_knopp(logits, n_iters=20):
    L = np.asarray(logits, dtype=np.float64)
    if L.ndim < 2 or L.shape[-1] != L.shape[-2]:
        raise ValueError("logits must be of shape (..., n, n)")
    M = np.exp(L - L.max(axis=(-2, -1), keepdims=True))
    for k in range(n_iters):
        axis = -2 if k % 2 == 0 else -1
        M = M / M.sum(axis=axis, keepdims=True)
    return M

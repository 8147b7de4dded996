"""exp of the raw logits, without subtracting the maximum: logits near 750 overflow to inf and give NaN."""
import numpy as np


def sinkhorn_knopp(logits, n_iters=20):
    L = np.asarray(logits, dtype=np.float64)
    if L.ndim < 2 or L.shape[-1] != L.shape[-2]:
        raise ValueError("logits must be of shape (..., n, n)")
    M = np.exp(L)
    for _ in range(n_iters):
        M = M / M.sum(axis=-2, keepdims=True)
        M = M / M.sum(axis=-1, keepdims=True)
    return M

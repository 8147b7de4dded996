"""One softmax over all n^2 entries instead of alternating column and row normalisations."""
import numpy as np


def sinkhorn_knopp(logits, n_iters=20):
    L = np.asarray(logits, dtype=np.float64)
    if L.ndim < 2 or L.shape[-1] != L.shape[-2]:
        raise ValueError("logits must be of shape (..., n, n)")
    M = np.exp(L - L.max(axis=(-2, -1), keepdims=True))
    return M / M.sum(axis=(-2, -1), keepdims=True)

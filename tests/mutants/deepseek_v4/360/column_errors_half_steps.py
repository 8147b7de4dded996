"""Column errors recorded after every half-step, so each half-step counts as a sweep (odd entries are 0)."""
import numpy as np


def sinkhorn_column_errors(logits, n_iters):
    L = np.asarray(logits, dtype=np.float64)
    if L.ndim != 2 or L.shape[0] != L.shape[1]:
        raise ValueError("logits must be a square (n, n) matrix")
    M = np.exp(L - L.max())
    errors = np.empty(n_iters)
    for k in range(n_iters):
        axis = 0 if k % 2 == 0 else 1
        M = M / M.sum(axis=axis, keepdims=True)
        errors[k] = np.max(np.abs(M.sum(axis=0) - 1.0))
    return errors

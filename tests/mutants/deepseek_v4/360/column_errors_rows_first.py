"""Column errors of sweeps that normalise rows first: the columns are exact after every sweep, errors ~0."""
import numpy as np


def sinkhorn_column_errors(logits, n_iters):
    L = np.asarray(logits, dtype=np.float64)
    if L.ndim != 2 or L.shape[0] != L.shape[1]:
        raise ValueError("logits must be a square (n, n) matrix")
    M = np.exp(L - L.max())
    errors = np.empty(n_iters)
    for t in range(n_iters):
        M = M / M.sum(axis=1, keepdims=True)
        M = M / M.sum(axis=0, keepdims=True)
        errors[t] = np.max(np.abs(M.sum(axis=0) - 1.0))
    return errors

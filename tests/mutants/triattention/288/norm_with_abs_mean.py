"""Norm term weighted by E|q_f| instead of E|q_f| - |E q_f| (the code's disable_mlr ablation)."""
import numpy as np


def norm_score(q_centre, q_abs_mean, keys):
    q = np.asarray(q_centre)
    if q.dtype.kind != "c":
        raise TypeError("q_centre must be complex")
    mu = np.asarray(q_abs_mean, dtype=float)
    if mu.shape != q.shape:
        raise ValueError("q_abs_mean must have shape (F,)")
    k = np.asarray(keys, dtype=float)
    F = q.shape[0]
    return np.hypot(k[:, :F], k[:, F:]) @ mu

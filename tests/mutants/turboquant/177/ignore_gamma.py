"""Mistake: the QJL term ignores gamma, treating the residual as if it had unit length."""
import numpy as np


def tq_prod_dequantize(idx, signs, gammas, norms, Pi, centroids, S):
    idx = np.asarray(idx)
    S = np.asarray(S, dtype=float)
    norms = np.asarray(norms, dtype=float)
    mse_part = tq_mse_dequantize(idx, np.ones(idx.shape[:-1]), Pi, centroids)
    qjl_part = np.sqrt(np.pi / 2) / S.shape[0] * (np.asarray(signs, dtype=float) @ S)
    return norms[..., None] * (mse_part + qjl_part)

"""Mistake: dividing by the dimension d instead of the number of projections m."""
import numpy as np


def qjl_dequantize(signs, norms, S):
    S = np.asarray(S, dtype=float)
    signs = np.asarray(signs, dtype=float)
    norms = np.asarray(norms, dtype=float)
    d = S.shape[1]
    if signs.ndim == 1:
        return np.sqrt(np.pi / 2) / d * norms * (signs @ S)
    return np.sqrt(np.pi / 2) / d * norms[:, None] * (signs @ S)


def qjl_inner_product(Y, signs, norms, S):
    return np.asarray(Y, dtype=float) @ qjl_dequantize(signs, norms, S).T

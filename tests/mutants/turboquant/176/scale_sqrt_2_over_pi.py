"""Mistake: scale sqrt(2/pi) instead of sqrt(pi/2) (inverting E|g| the wrong way)."""
import numpy as np


def qjl_dequantize(signs, norms, S):
    S = np.asarray(S, dtype=float)
    signs = np.asarray(signs, dtype=float)
    norms = np.asarray(norms, dtype=float)
    m = S.shape[0]
    if signs.ndim == 1:
        return np.sqrt(2 / np.pi) / m * norms * (signs @ S)
    return np.sqrt(2 / np.pi) / m * norms[:, None] * (signs @ S)


def qjl_inner_product(Y, signs, norms, S):
    return np.asarray(Y, dtype=float) @ qjl_dequantize(signs, norms, S).T

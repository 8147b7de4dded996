"""Mistake: quantising the query too (sign-sign estimator), which estimates the angle and is biased."""
import numpy as np


def qjl_inner_product(Y, signs, norms, S):
    Y = np.asarray(Y, dtype=float)
    S = np.asarray(S, dtype=float)
    m = S.shape[0]
    sy = np.where(Y @ S.T >= 0, 1.0, -1.0)                      # sign(S y)
    ynorm = np.linalg.norm(Y, axis=-1)
    est = (sy @ np.asarray(signs, dtype=float).T) / m
    return np.multiply.outer(ynorm, np.asarray(norms, dtype=float)) * est if Y.ndim == 2 else ynorm * np.asarray(norms) * est

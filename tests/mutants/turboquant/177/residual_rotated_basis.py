"""Mistake: the residual is taken in the rotated basis (Pi u - c[idx]) and its QJL term is added
without rotating back, which is biased for any Pi other than the identity."""
import numpy as np


def tq_prod_quantize(X, Pi, centroids, S):
    X = np.asarray(X, dtype=float)
    S = np.asarray(S, dtype=float)
    Pi = np.asarray(Pi, dtype=float)
    c = np.asarray(centroids, dtype=float)
    idx, norms = tq_mse_quantize(X, Pi, centroids)
    U = X / np.where(norms > 0, norms, 1.0)[..., None]
    R_rot = U @ Pi.T - c[idx]                                   # residual in rotated coordinates
    signs = np.where(R_rot @ S.T >= 0, 1, -1).astype(np.int8)
    return idx, signs, np.linalg.norm(R_rot, axis=-1), norms

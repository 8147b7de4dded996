"""Mistake: the QJL stage sketches the input direction u instead of the residual r = u - Pi^T c[idx]."""
import numpy as np


def tq_prod_quantize(X, Pi, centroids, S):
    X = np.asarray(X, dtype=float)
    S = np.asarray(S, dtype=float)
    idx, norms = tq_mse_quantize(X, Pi, centroids)
    unit = np.where(norms > 0, 1.0, 0.0)
    U = X / np.where(norms > 0, norms, 1.0)[..., None]
    R = U - tq_mse_dequantize(idx, unit, Pi, centroids)
    signs = np.where(U @ S.T >= 0, 1, -1).astype(np.int8)     # wrong: sign(S u)
    return idx, signs, np.linalg.norm(R, axis=-1), norms

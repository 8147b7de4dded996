"""Mistake: the QJL term of TurboQuant_prod divides by d instead of the number of projections m."""
import numpy as np


def tq_prod_dequantize(idx, signs, gammas, norms, Pi, centroids, S):
    idx = np.asarray(idx)
    S = np.asarray(S, dtype=float)
    norms = np.asarray(norms, dtype=float)
    gammas = np.asarray(gammas, dtype=float)
    mse_part = tq_mse_dequantize(idx, np.ones(idx.shape[:-1]), Pi, centroids)
    qjl_part = np.sqrt(np.pi / 2) / S.shape[1] * gammas[..., None] * (np.asarray(signs, dtype=float) @ S)
    return norms[..., None] * (mse_part + qjl_part)

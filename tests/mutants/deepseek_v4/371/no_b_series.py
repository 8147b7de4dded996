"""Dropping the b-series: each CSA entry pools block i alone (no overlap), i.e. HCA with the a-series."""
import numpy as np


def csa_compress(H, W_aKV, W_bKV, W_aZ, W_bZ, B_a, B_b, m):
    H = np.asarray(H, dtype=np.float64)
    n, c = H.shape[0], np.shape(W_aKV)[1]
    N = n // m
    Ca = (H[:N * m] @ np.asarray(W_aKV, dtype=float)).reshape(N, m, c)
    Za = (H[:N * m] @ np.asarray(W_aZ, dtype=float)).reshape(N, m, c) + np.asarray(B_a, dtype=float)
    S = np.exp(Za - Za.max(axis=1, keepdims=True))
    S /= S.sum(axis=1, keepdims=True)
    return (S * Ca).sum(axis=1)

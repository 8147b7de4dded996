"""Two separate softmaxes (over the m a-tokens and over the m b-tokens) added, instead of one over 2m."""
import numpy as np


def _softmax_pool(Z, C):
    S = np.exp(Z - Z.max(axis=1, keepdims=True))
    return (S / S.sum(axis=1, keepdims=True) * C).sum(axis=1)


def csa_compress(H, W_aKV, W_bKV, W_aZ, W_bZ, B_a, B_b, m):
    H = np.asarray(H, dtype=np.float64)
    n, c = H.shape[0], np.shape(W_aKV)[1]
    N = n // m
    Ca, Cb, Za, Zb = ((H[:N * m] @ np.asarray(W, dtype=float)).reshape(N, m, c)
                      for W in (W_aKV, W_bKV, W_aZ, W_bZ))
    out = _softmax_pool(Za + np.asarray(B_a, dtype=float), Ca)
    if N > 1:
        out[1:] += _softmax_pool(Zb[:-1] + np.asarray(B_b, dtype=float), Cb[:-1])
    return out

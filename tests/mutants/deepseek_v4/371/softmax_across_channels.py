"""Softmax across the c channels of each token instead of across the 2m tokens of each channel."""
import numpy as np


def csa_compress(H, W_aKV, W_bKV, W_aZ, W_bZ, B_a, B_b, m):
    H = np.asarray(H, dtype=np.float64)
    n, c = H.shape[0], np.shape(W_aKV)[1]
    N = n // m
    Ca, Cb, Za, Zb = ((H[:N * m] @ np.asarray(W, dtype=float)).reshape(N, m, c)
                      for W in (W_aKV, W_bKV, W_aZ, W_bZ))
    Zb_prev = np.full((N, m, c), -np.inf)
    Zb_prev[1:] = Zb[:-1] + np.asarray(B_b, dtype=float)
    Cb_prev = np.zeros((N, m, c))
    Cb_prev[1:] = Cb[:-1]
    logits = np.concatenate([Za + np.asarray(B_a, dtype=float), Zb_prev], axis=1)
    values = np.concatenate([Ca, Cb_prev], axis=1)
    finite = np.isfinite(logits)
    shifted = np.where(finite, logits - np.where(finite, logits, -np.inf).max(axis=2, keepdims=True), -np.inf)
    S = np.exp(shifted)
    S /= np.maximum(S.sum(axis=2, keepdims=True), 1e-300)   # the mistake: normalised over channels
    return (S * values).sum(axis=1)

"""Mistake: softmax without subtracting the row maximum, which overflows for large logits."""
import numpy as np


def softmax_attention(Q, K, V):
    Q = np.asarray(Q, dtype=float)
    K = np.asarray(K, dtype=float)
    V = np.asarray(V, dtype=float)
    with np.errstate(over="ignore", invalid="ignore"):
        W = np.exp(np.atleast_2d(Q) @ K.T / np.sqrt(K.shape[1]))
        out = (W / W.sum(1, keepdims=True)) @ V
    return out[0] if Q.ndim == 1 else out

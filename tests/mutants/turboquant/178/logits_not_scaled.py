"""Mistake: attention logits Q K^T without the 1/sqrt(d) scaling."""
import numpy as np


def softmax_attention(Q, K, V):
    Q = np.asarray(Q, dtype=float)
    K = np.asarray(K, dtype=float)
    V = np.asarray(V, dtype=float)
    L = np.atleast_2d(Q) @ K.T
    W = np.exp(L - L.max(axis=1, keepdims=True))
    out = (W / W.sum(axis=1, keepdims=True)) @ V
    return out[0] if Q.ndim == 1 else out

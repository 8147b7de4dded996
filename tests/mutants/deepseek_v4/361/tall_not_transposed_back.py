"""Iterating on G.T for a tall G but returning that (n, m) result without transposing it back."""
import numpy as np


def newton_schulz(G, coeffs, eps=1e-7):
    G = np.asarray(G, dtype=np.float64)
    if G.ndim != 2 or G.size == 0:
        raise ValueError("G must be a non-empty matrix")
    tall = G.shape[0] > G.shape[1]
    X = G.T if tall else G
    X = X / (np.linalg.norm(X) + eps)
    for a, b, c in coeffs:
        A = X @ X.T
        X = a * X + (b * A + c * A @ A) @ X
    return X

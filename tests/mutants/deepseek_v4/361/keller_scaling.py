"""Scaling the update by Keller's sqrt(max(1, rows/cols)) instead of gamma * sqrt(max(rows, cols))."""
import math

import numpy as np


def muon_update(G, M_prev, mu=0.95, gamma=0.18, coeffs=None, eps=1e-7):
    G = np.asarray(G, dtype=np.float64)
    M_prev = np.asarray(M_prev, dtype=np.float64)
    if G.ndim != 2 or G.size == 0 or M_prev.shape != G.shape:
        raise ValueError("G must be a non-empty matrix and M_prev of its shape")
    M = mu * M_prev + G
    steps = v4_ns_schedule() if coeffs is None else coeffs
    O = newton_schulz(mu * M + G, steps, eps)
    return O * math.sqrt(max(1.0, G.shape[0] / G.shape[1])), M

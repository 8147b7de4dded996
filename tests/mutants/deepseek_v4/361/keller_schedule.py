"""Using Keller Jordan's 5-step quintic schedule as the default instead of V4's 8 + 2 hybrid schedule."""
import math

import numpy as np


def muon_update(G, M_prev, mu=0.95, gamma=0.18, coeffs=None, eps=1e-7):
    G = np.asarray(G, dtype=np.float64)
    M_prev = np.asarray(M_prev, dtype=np.float64)
    if G.ndim != 2 or G.size == 0 or M_prev.shape != G.shape:
        raise ValueError("G must be a non-empty matrix and M_prev of its shape")
    M = mu * M_prev + G
    steps = [(3.4445, -4.7750, 2.0315)] * 5 if coeffs is None else coeffs
    O = newton_schulz(mu * M + G, steps, eps)
    return O * math.sqrt(max(G.shape)) * gamma, M

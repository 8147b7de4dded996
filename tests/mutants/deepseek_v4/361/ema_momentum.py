"""EMA momentum M = mu * M + (1 - mu) * G (torch.optim.Muon's buffer): same direction, wrong returned buffer."""
import math

import numpy as np


def muon_update(G, M_prev, mu=0.95, gamma=0.18, coeffs=None, eps=1e-7):
    G = np.asarray(G, dtype=np.float64)
    M_prev = np.asarray(M_prev, dtype=np.float64)
    if G.ndim != 2 or G.size == 0 or M_prev.shape != G.shape:
        raise ValueError("G must be a non-empty matrix and M_prev of its shape")
    M = mu * M_prev + (1 - mu) * G
    steps = v4_ns_schedule() if coeffs is None else coeffs
    O = newton_schulz(mu * M + (1 - mu) * G, steps, eps)
    return O * math.sqrt(max(G.shape)) * gamma, M

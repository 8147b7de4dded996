"""Phase sign flipped: uses arg(conj(q̄) k̄) = arg k̄ − arg q̄, the mirror image of the true curve."""
import numpy as np


def distance_preference(q_centre, k_centre, distances, base=10000.0):
    q = np.asarray(q_centre).astype(np.complex128)
    k = np.asarray(k_centre).astype(np.complex128)
    delta = np.asarray(distances, dtype=float)
    F = q.shape[0]
    omega = base ** (-np.arange(F) / F)
    coeff = np.conj(q) * k
    return np.real((coeff * np.exp(1j * delta[..., None] * omega)).sum(axis=-1))

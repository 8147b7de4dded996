"""Frequencies base**(-2f/F) with F = len(centre): treats the number of pairs as the head dimension."""
import numpy as np


def distance_preference(q_centre, k_centre, distances, base=10000.0):
    q = np.asarray(q_centre).astype(np.complex128)
    k = np.asarray(k_centre).astype(np.complex128)
    delta = np.asarray(distances, dtype=float)
    F = q.shape[0]
    omega = base ** (-2.0 * np.arange(F) / F)
    coeff = q * np.conj(k)
    return np.real((coeff * np.exp(1j * delta[..., None] * omega)).sum(axis=-1))

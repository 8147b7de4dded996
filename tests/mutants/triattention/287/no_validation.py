"""No input checks: bad distances and centres pass silently or fail with unrelated errors."""
import numpy as np


def distance_preference(q_centre, k_centre, distances, base=10000.0):
    q = np.asarray(q_centre).astype(np.complex128) if np.asarray(q_centre).dtype.kind in "iufc" else np.zeros(1)
    k = np.asarray(k_centre).astype(np.complex128) if np.asarray(k_centre).dtype.kind in "iufc" else np.zeros(1)
    delta = np.asarray(distances, dtype=float)
    F = q.shape[-1]
    omega = base ** (-np.arange(F) / F)
    return np.real((q * np.conj(k) * np.exp(1j * delta[..., None] * omega)).sum(axis=-1))

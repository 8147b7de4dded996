"""Phase sign flipped: phi_f = arg k_f - arg q_f (mirror-image curve, invisible at distance 0)."""
import numpy as np


def frequency_terms(q, k):
    q, k = np.asarray(q), np.asarray(k)
    if np.iscomplexobj(q) or np.iscomplexobj(k):
        raise TypeError("q and k must be real arrays")
    if q.ndim == 0 or k.ndim == 0 or q.shape[-1] != k.shape[-1]:
        raise ValueError("q and k must have the same last dimension")
    if q.shape[-1] % 2:
        raise ValueError("the last dimension of q must be even")
    product = np.conj(to_complex_pairs(q)) * to_complex_pairs(k)
    return np.abs(product), np.angle(product)

"""Amplitude from whole-vector norms (|q| |k| / F for every pair) instead of per-pair lengths."""
import numpy as np


def frequency_terms(q, k):
    q, k = np.asarray(q), np.asarray(k)
    if np.iscomplexobj(q) or np.iscomplexobj(k):
        raise TypeError("q and k must be real arrays")
    if q.ndim == 0 or k.ndim == 0 or q.shape[-1] != k.shape[-1]:
        raise ValueError("q and k must have the same last dimension")
    if q.shape[-1] % 2:
        raise ValueError("the last dimension of q must be even")
    product = to_complex_pairs(q) * np.conj(to_complex_pairs(k))
    F = q.shape[-1] // 2
    amp = np.linalg.norm(q, axis=-1) * np.linalg.norm(k, axis=-1) / F
    return np.broadcast_to(np.asarray(amp)[..., None], product.shape).copy(), np.angle(product)

"""Pairs query t − Δ with key t: the key sits Δ tokens in the future (distance −Δ)."""
import numpy as np


def empirical_distance_logits(q, k, distances, base=10000.0):
    q = np.asarray(q, dtype=float)
    k = np.asarray(k, dtype=float)
    n = q.shape[0]
    positions = np.arange(n, dtype=float)
    qr = apply_rope(q, positions, base)
    kr = apply_rope(k, positions, base)
    means, stds = [], []
    for delta in np.asarray(distances, dtype=int):
        logits = np.sum(qr[: n - delta] * kr[delta:], axis=1)
        means.append(logits.mean())
        stds.append(logits.std())
    return np.array(means), np.array(stds)

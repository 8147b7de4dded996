"""Sample standard deviation (ddof = 1) instead of the population one."""
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
        logits = np.sum(qr[delta:] * kr[: n - delta], axis=1)
        means.append(logits.mean())
        stds.append(logits.std(ddof=1) if logits.size > 1 else 0.0)
    return np.array(means), np.array(stds)

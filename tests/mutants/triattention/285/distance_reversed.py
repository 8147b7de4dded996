"""Distance taken as n - m (key minus query) instead of m - n."""
import numpy as np


def trig_logit(q, k, distances, base=10000.0, per_pair=False):
    q, k = np.asarray(q), np.asarray(k)
    if np.iscomplexobj(q) or np.iscomplexobj(k):
        raise TypeError("q and k must be real arrays")
    if q.ndim != 1 or k.ndim != 1 or q.shape != k.shape:
        raise ValueError("q and k must be 1-D of the same length")
    distances = np.asarray(distances, dtype=np.float64)
    if not np.all(np.isfinite(distances)):
        raise ValueError("distances must be finite")
    amplitude, phase = frequency_terms(q, k)
    terms = amplitude * np.cos(-distances[..., None] * rope_frequencies(q.shape[0], base) + phase)
    return terms if per_pair else terms.sum(axis=-1)

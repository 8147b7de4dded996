"""Measures the offsets from each key (distance δ only), dropping the gap p − t_j: no recency at all."""
import numpy as np


def select_triattention(q_centre, q_abs_mean, keys, key_positions, query_position, budget, *,
                        offsets=None, base=10000.0):
    if isinstance(budget, bool) or not isinstance(budget, (int, np.integer)):
        raise TypeError("budget must be an int")
    if budget < 1:
        raise ValueError("budget must be >= 1")
    kp = np.asarray(key_positions, dtype=float)
    # query_position = t_j for every key: the same as scoring every key as if it were the newest
    scores = triattention_scores(q_centre, q_abs_mean, keys, np.zeros_like(kp), 0.0, offsets=offsets, base=base)
    if scores.size <= budget:
        return np.arange(scores.size, dtype=np.int64)
    return np.sort(np.argsort(-scores, kind="stable")[:budget]).astype(np.int64)

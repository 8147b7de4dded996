"""Z-scores each head with the sample standard deviation (ddof = 1)."""
import numpy as np


def aggregate_head_scores(scores, how="max"):
    s = np.asarray(scores, dtype=float)
    if s.ndim != 2 or s.size == 0:
        raise ValueError("scores must be a non-empty 2-D array")
    if how not in ("max", "mean"):
        raise ValueError("how must be 'max' or 'mean'")
    std = s.std(axis=1, ddof=1, keepdims=True) if s.shape[1] > 1 else np.zeros((s.shape[0], 1))
    z = (s - s.mean(axis=1, keepdims=True)) / np.maximum(std, 1e-6)
    return z.max(axis=0) if how == "max" else z.mean(axis=0)

"""Scores the window without the causal mask: early window queries also attend to later keys."""
import numpy as np


def select_window_attention(window_queries, window_positions, keys, key_positions, budget, *, base=10000.0):
    if isinstance(budget, bool) or not isinstance(budget, (int, np.integer)):
        raise TypeError("budget must be an int")
    wq = np.asarray(window_queries, dtype=float)
    w = wq.shape[0]
    if budget <= w:
        raise ValueError("budget must exceed the window size")
    kp = np.asarray(key_positions, dtype=float)
    k = np.asarray(keys, dtype=float)
    if k.shape[0] <= budget:
        return np.arange(k.shape[0], dtype=np.int64)
    logits = apply_rope(wq, np.asarray(window_positions, dtype=float), base) @ apply_rope(k, kp, base).T
    logits = logits / np.sqrt(wq.shape[1])
    a = np.exp(logits - logits.max(axis=1, keepdims=True))
    score = (a / a.sum(axis=1, keepdims=True)).mean(axis=0)
    score[np.argsort(-kp, kind="stable")[:w]] = np.inf
    return np.sort(np.argsort(-score, kind="stable")[:budget]).astype(np.int64)

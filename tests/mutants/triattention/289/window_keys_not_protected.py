"""Observation window without protecting its own keys: the w newest keys can be evicted."""
import numpy as np


def select_window_attention(window_queries, window_positions, keys, key_positions, budget, *, base=10000.0):
    if isinstance(budget, bool) or not isinstance(budget, (int, np.integer)):
        raise TypeError("budget must be an int")
    w = np.asarray(window_queries).shape[0]
    if budget <= w:
        raise ValueError("budget must exceed the window size")
    attn = attention_weights(window_queries, window_positions, keys, key_positions, base=base).mean(axis=0)
    if attn.shape[0] <= budget:
        return np.arange(attn.shape[0], dtype=np.int64)
    return np.sort(np.argsort(-attn, kind="stable")[:budget]).astype(np.int64)

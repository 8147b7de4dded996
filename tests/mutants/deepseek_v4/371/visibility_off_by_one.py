"""Visibility off by one: m(i + 1) <= t hides a just-completed block from the token that completed it."""
import numpy as np


def compressed_visibility(T, n_entries, m):
    t = np.arange(T)[:, None]
    i = np.arange(n_entries)[None, :]
    return (i + 1) * m <= t

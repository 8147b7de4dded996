"""Mistake: accept every position whose own entropy is <= gamma (a per-token threshold) instead of the
cumulative bound on the entropy spent before it."""
import numpy as np


def entropy_bounded_accept(entropy, gamma):
    return np.asarray(entropy, dtype=float) <= gamma

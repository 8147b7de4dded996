"""Mistake: strict < in the confidence test where the contract says <= (a certain canvas fails tau = 0)."""
import numpy as np


def is_confident(logits, threshold):
    return token_entropy(np.asarray(logits, dtype=float)).mean(axis=-1) < threshold

"""Mistake: the confidence test uses the maximum token entropy instead of the mean over the canvas."""
import numpy as np


def is_confident(logits, threshold):
    return token_entropy(np.asarray(logits, dtype=float)).max(axis=-1) <= threshold

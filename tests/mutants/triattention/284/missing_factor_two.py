"""Frequencies w_f = base^(-f/d): the factor 2 in the exponent is missing."""
import numpy as np


def rope_frequencies(head_dim, base=10000.0):
    if isinstance(head_dim, bool) or not isinstance(head_dim, (int, np.integer)):
        raise TypeError("head_dim must be an int")
    if head_dim <= 0 or head_dim % 2:
        raise ValueError("head_dim must be a positive even int")
    if not np.isfinite(base) or base <= 1:
        raise ValueError("base must be finite and > 1")
    return float(base) ** (-np.arange(head_dim // 2) / head_dim)

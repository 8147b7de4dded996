"""Mistake: counting only the packed index and sign bits, leaving out the per-vector norms."""
import numpy as np


def turboquant_vector_bytes(d, bits, mode="mse", norm_bytes=2):
    if mode not in ("mse", "prod"):
        raise ValueError("mode must be 'mse' or 'prod'")
    if bits is None:
        return 2 * d
    if mode == "mse":
        return -(-d * bits // 8)
    return -(-d * (bits - 1) // 8) + -(-d // 8)

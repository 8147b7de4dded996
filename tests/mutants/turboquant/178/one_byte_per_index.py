"""Mistake: no packing at all, one byte per index (8 bits stored for a b-bit code)."""
import numpy as np


def pack_indices(idx, bits):
    idx = np.asarray(idx)
    if idx.dtype.kind not in "iu":
        raise TypeError("idx must be an integer array")
    if idx.size and (idx.min() < 0 or idx.max() >= 2 ** bits):
        raise ValueError("idx out of range")
    if not 1 <= bits <= 8:
        raise ValueError("bits must be in 1..8")
    return idx.astype(np.uint8)


def unpack_indices(packed, bits, d):
    packed = np.asarray(packed)
    if packed.dtype != np.uint8:
        raise TypeError("packed must be uint8")
    return packed.copy()

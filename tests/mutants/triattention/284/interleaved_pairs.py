"""Interleaved pairing: pair f is (x[2f], x[2f+1]) instead of the half split (x[f], x[f+F])."""
import numpy as np


def to_complex_pairs(x):
    x = np.asarray(x)
    if np.iscomplexobj(x):
        raise TypeError("x must be real")
    if x.ndim == 0 or x.shape[-1] == 0 or x.shape[-1] % 2:
        raise ValueError("x must have an even last dimension")
    x = x.astype(np.float64)
    return x[..., 0::2] + 1j * x[..., 1::2]


def from_complex_pairs(z):
    z = np.asarray(z)
    if z.ndim == 0:
        raise ValueError("z must have at least one dimension")
    z = z.astype(np.complex128)
    out = np.empty(z.shape[:-1] + (2 * z.shape[-1],))
    out[..., 0::2], out[..., 1::2] = z.real, z.imag
    return out

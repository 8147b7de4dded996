"""Interleaved GPT-J pairs: pair i is (x_2i, x_2i+1) instead of the rotate-half pair (x_i, x_{i+d/2})."""
import numpy as np

from mlpapers.arguments import int_array, real_array, require


def apply_rope(x, positions, inv_freq):
    x = real_array(x, "x", ndim=3)
    T, _, d = x.shape
    require(d % 2 == 0, "x", "of even head dimension", d)
    positions = int_array(positions, "positions", shape=(T,))
    inv_freq = real_array(inv_freq, "inv_freq", shape=(d // 2,))
    angle = positions[:, None] * inv_freq[None, :]
    cos, sin = np.cos(angle)[:, None, :], np.sin(angle)[:, None, :]
    even, odd = x[..., 0::2], x[..., 1::2]                                  # wrong: neighbours
    out = np.empty_like(x)
    out[..., 0::2] = even * cos - odd * sin
    out[..., 1::2] = odd * cos + even * sin
    return out

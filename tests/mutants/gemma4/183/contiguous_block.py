"""A contiguous leading block: with n_rot non-zero frequencies, rotate dims 0 .. 2 n_rot - 1 with
pairs (i, i + n_rot) and leave the rest, instead of the pairs (i, i + d/2) of the whole head."""
import numpy as np

from mlpapers.arguments import int_array, real_array, require


def apply_rope(x, positions, inv_freq):
    x = real_array(x, "x", ndim=3)
    T, _, d = x.shape
    require(d % 2 == 0, "x", "of even head dimension", d)
    positions = int_array(positions, "positions", shape=(T,))
    inv_freq = real_array(inv_freq, "inv_freq", shape=(d // 2,))
    n_rot = int(np.count_nonzero(inv_freq))
    w = inv_freq[inv_freq != 0]
    angle = positions[:, None] * w[None, :]
    cos, sin = np.cos(angle)[:, None, :], np.sin(angle)[:, None, :]
    first, second = x[..., :n_rot], x[..., n_rot:2 * n_rot]               # wrong: (i, i + n_rot)
    return np.concatenate([first * cos - second * sin, second * cos + first * sin, x[..., 2 * n_rot:]], axis=-1)

"""adaln_zero_block reads the modulation as (scale, shift, gate) instead of (shift, scale, gate)."""
import numpy as np


def adaln_zero_block(x, cond, w_mod, b_mod, branch, eps=1e-6):
    x = np.asarray(x, dtype=np.float64)
    N, D = x.shape[0], x.shape[-1]
    mod = np.asarray(cond, dtype=np.float64) @ np.asarray(w_mod, dtype=np.float64) + np.asarray(b_mod, dtype=np.float64)
    scale, shift, gate = mod[:, :D], mod[:, D:2 * D], mod[:, 2 * D:]
    h = np.asarray(branch(adaln_modulate(layer_norm(x, eps), shift, scale)), dtype=np.float64)
    return x + gate.reshape((N,) + (1,) * (x.ndim - 2) + (D,)) * h

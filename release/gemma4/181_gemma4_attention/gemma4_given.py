"""What problem 181 is given from the Gemma 4 chapter.

Problems build on each other: once an earlier problem is done, later ones may rely on it
without trusting your own version. This module holds the reference answers that
problem 181 uses, and nothing more:

* ``apply_rope``: your answer to problem 183
* ``rms_norm``: your answer to problem 182
* ``rope_inv_freq``: your answer to problem 183
"""
from __future__ import annotations

import numpy as np
from mlpapers.arguments import choice, int_array, integer, real, real_array, require


__all__ = ["apply_rope", "rms_norm", "rope_inv_freq"]


def rms_norm(x, weight=None, eps: float = 1e-6) -> np.ndarray:
    """Problem 182. x / sqrt(mean(x^2) + eps) * weight over the last axis (weight None: no scale).

    Computes in float64; returns x's float dtype (float64 for integer input).
    """
    arr = np.asarray(x)
    if arr.dtype.kind not in "biuf" or arr.dtype.kind == "b":
        raise TypeError(f"x must hold real numbers, got dtype {arr.dtype}")
    require(arr.ndim >= 1 and arr.shape[-1] >= 1, "x", "an array with a non-empty last axis", f"shape {arr.shape}")
    eps = real(eps, "eps", low=0.0)
    out_dtype = arr.dtype if arr.dtype.kind == "f" else np.dtype(np.float64)
    x64 = arr.astype(np.float64)
    out = x64 / np.sqrt(np.mean(x64 * x64, axis=-1, keepdims=True) + eps)
    if weight is not None:
        w = real_array(weight, "weight", shape=(arr.shape[-1],))
        out = out * w
    return out.astype(out_dtype, copy=False)


def rope_inv_freq(head_dim: int, theta: float, partial_rotary_factor: float = 1.0,
                  rope_type: str = "default") -> np.ndarray:
    """Problem 183. theta**(-2i/d) for the first int(p*d//2) pairs, 0 for the rest; (d//2,) float64."""
    d = integer(head_dim, "head_dim", low=2)
    require(d % 2 == 0, "head_dim", "even", d)
    theta = real(theta, "theta")
    require(theta > 1, "theta", "> 1", theta)
    p = real(partial_rotary_factor, "partial_rotary_factor")
    require(0 < p <= 1, "partial_rotary_factor", "in (0, 1]", p)
    rope_type = choice(rope_type, "rope_type", ("default", "proportional"))
    require(rope_type == "proportional" or p == 1.0, "partial_rotary_factor",
            "1.0 for default RoPE (use rope_type='proportional')", p)
    n_rot = int(p * d // 2)
    inv = np.zeros(d // 2)
    inv[:n_rot] = theta ** (-2.0 * np.arange(n_rot) / d)
    return inv


def apply_rope(x, positions, inv_freq) -> np.ndarray:
    """Problem 183. Rotate pairs (x_i, x_{i+d/2}) of x (T, H, d) by positions[t] * inv_freq[i]."""
    x = real_array(x, "x", ndim=3)
    T, _, d = x.shape
    require(d % 2 == 0, "x", "of even head dimension", d)
    positions = int_array(positions, "positions", shape=(T,))
    inv_freq = real_array(inv_freq, "inv_freq", shape=(d // 2,))
    angles = positions[:, None].astype(np.float64) * inv_freq[None, :]      # (T, d/2)
    cos, sin = np.cos(angles)[:, None, :], np.sin(angles)[:, None, :]
    first, second = x[..., : d // 2], x[..., d // 2:]
    return np.concatenate([first * cos - second * sin, second * cos + first * sin], axis=-1)

"""What problem 285 is given from the TriAttention chapter.

Problems build on each other: once an earlier problem is done, later ones may rely on it
without trusting your own version. This module holds the reference answers that
problem 285 uses, and nothing more:

* ``apply_rope``: your answer to problem 284
* ``from_complex_pairs``: a helper
* ``rope_frequencies``: your answer to problem 284
* ``to_complex_pairs``: your answer to problem 284
"""
from __future__ import annotations

import math
import numbers
import numpy as np


__all__ = ["apply_rope", "from_complex_pairs", "rope_frequencies", "to_complex_pairs"]


def rope_frequencies(head_dim: int, base: float = 10000.0) -> np.ndarray:
    """Problem 284. RoPE angular frequencies w_f = base**(-2f/d), shape (head_dim // 2,), float64."""
    if isinstance(head_dim, bool) or not isinstance(head_dim, numbers.Integral):
        raise TypeError(f"head_dim must be an int, got {type(head_dim).__name__}")
    if head_dim <= 0 or head_dim % 2:
        raise ValueError(f"head_dim must be a positive even int, got {head_dim}")
    if isinstance(base, bool) or not isinstance(base, numbers.Real):
        raise TypeError(f"base must be a real number, got {type(base).__name__}")
    if not math.isfinite(base) or base <= 1:
        raise ValueError(f"base must be finite and > 1, got {base}")
    f = np.arange(head_dim // 2, dtype=np.float64)
    return float(base) ** (-2.0 * f / head_dim)


def to_complex_pairs(x) -> np.ndarray:
    """Problem 284. (..., d) real -> (..., d/2) complex128 with z_f = x[f] + i x[f + d/2]."""
    x = np.asarray(x)
    if np.iscomplexobj(x):
        raise TypeError("x must be real, got a complex array")
    if x.ndim == 0:
        raise ValueError("x must have at least one dimension")
    d = x.shape[-1]
    if d == 0 or d % 2:
        raise ValueError(f"the last dimension of x must be even and > 0, got {d}")
    x = x.astype(np.float64)
    F = d // 2
    return x[..., :F] + 1j * x[..., F:]


def from_complex_pairs(z) -> np.ndarray:
    """Problem 284. (..., F) complex -> (..., 2F) float64: real parts, then imaginary parts."""
    z = np.asarray(z)
    if z.ndim == 0:
        raise ValueError("z must have at least one dimension")
    z = z.astype(np.complex128)
    return np.concatenate([z.real, z.imag], axis=-1)


def apply_rope(x, positions, base: float = 10000.0) -> np.ndarray:
    """Problem 284. Rotate every frequency pair of x by w_f * position (half-split layout).

    x (..., d) real; positions broadcastable against x.shape[:-1];
    returns float64 of shape broadcast(x.shape[:-1], positions.shape) + (d,).
    """
    x = np.asarray(x)
    if x.ndim == 0:
        raise ValueError("x must have at least one dimension")
    d = x.shape[-1]
    if d == 0 or d % 2:
        raise ValueError(f"the last dimension of x must be even and > 0, got {d}")
    positions = np.asarray(positions, dtype=np.float64)
    if not np.all(np.isfinite(positions)):
        raise ValueError("positions must be finite")
    try:
        batch = np.broadcast_shapes(x.shape[:-1], positions.shape)
    except ValueError:
        raise ValueError(f"positions of shape {positions.shape} do not broadcast against "
                         f"x.shape[:-1] = {x.shape[:-1]}") from None
    z = to_complex_pairs(x)                                    # (..., F)
    w = rope_frequencies(d, base)                              # (F,)
    rot = np.exp(1j * positions[..., None] * w)                # (..., F)
    return from_complex_pairs(np.broadcast_to(z, batch + z.shape[-1:]) * rot)

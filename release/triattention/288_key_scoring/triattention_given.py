"""What problem 288 is given from the TriAttention chapter.

Problems build on each other: once an earlier problem is done, later ones may rely on it
without trusting your own version. This module holds the reference answers that
problem 288 uses, and nothing more:

* ``apply_rope``: your answer to problem 284
* ``distance_preference``: your answer to problem 287
* ``from_complex_pairs``: a helper
* ``qk_abs_mean``: your answer to problem 286
* ``qk_centre``: your answer to problem 286
* ``to_complex_pairs``: your answer to problem 284
"""
from __future__ import annotations

import math
import numbers
import numpy as np


__all__ = ["apply_rope", "distance_preference", "from_complex_pairs", "qk_abs_mean", "qk_centre", "to_complex_pairs"]


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


def _check_samples(x) -> np.ndarray:
    x = np.asarray(x)
    if np.iscomplexobj(x):
        raise TypeError("x must be real, got a complex array")
    if x.ndim != 2:
        raise ValueError(f"x must be 2-D (n, d), got shape {x.shape}")
    if x.shape[0] == 0:
        raise ValueError("x must have at least one row")
    if x.shape[1] == 0 or x.shape[1] % 2:
        raise ValueError(f"x must have an even, non-zero number of columns d, got {x.shape[1]}")
    return x.astype(np.float64)


def qk_centre(x) -> np.ndarray:
    """Problem 286. Centre E[z_f] of each frequency pair of the rows of x (n, d): (F,) complex128."""
    return to_complex_pairs(_check_samples(x)).mean(axis=0)


def qk_abs_mean(x) -> np.ndarray:
    """Problem 286. Mean magnitude E|z_f| of each frequency pair of the rows of x (n, d): (F,) float64."""
    return np.abs(to_complex_pairs(_check_samples(x))).mean(axis=0)


def distance_preference(q_centre, k_centre, distances, base=10000.0):
    """Problem 287. Expected RoPE logit between two centres as a function of the distance.

    P(Delta) = sum_f |q_f||k_f| cos(omega_f Delta + phi_f), phi_f = arg(q_f conj(k_f)).

    Args:
        q_centre: (F,) complex, the query centre.
        k_centre: (F,) complex, the key centre.
        distances: array-like of any shape S, finite real distances (query - key position).
        base: RoPE base.

    Returns:
        float64 array of shape S (unscaled, no 1/sqrt(d)).
    """
    centres = {}
    for name, centre in (("q_centre", q_centre), ("k_centre", k_centre)):
        arr = np.asarray(centre)
        if arr.dtype.kind not in "iufc":
            raise TypeError(f"{name} must be an array of complex numbers, got dtype {arr.dtype}")
        if arr.ndim != 1 or arr.size == 0:
            raise ValueError(f"{name} must be a non-empty 1-D array (one entry per pair), got shape {arr.shape}")
        centres[name] = arr.astype(np.complex128)
    q, k = centres["q_centre"], centres["k_centre"]
    if q.shape != k.shape:
        raise ValueError(f"q_centre and k_centre must have the same shape, got {q.shape} and {k.shape}")
    delta = np.asarray(distances, dtype=float)
    if not np.all(np.isfinite(delta)):
        raise ValueError("distances must be finite")
    if not np.isfinite(base) or base <= 1:
        raise ValueError(f"base must be a finite number > 1, got {base}")
    F = q.shape[0]
    omega = base ** (-np.arange(F) / F)                    # (F,) = base^(-2f/d), d = 2F
    coeff = q * np.conj(k)                                 # |q||k| e^{i phi}, (F,)
    terms = coeff * np.exp(1j * delta[..., None] * omega)  # (*S, F)
    return np.real(terms.sum(axis=-1)).astype(np.float64)

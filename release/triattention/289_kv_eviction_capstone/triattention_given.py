"""What problem 289 is given from the TriAttention chapter.

Problems build on each other: once an earlier problem is done, later ones may rely on it
without trusting your own version. This module holds the reference answers that
problem 289 uses, and nothing more:

* ``apply_rope``: your answer to problem 284
* ``qk_abs_mean``: your answer to problem 286
* ``qk_centre``: your answer to problem 286
* ``triattention_scores``: a helper
"""
from __future__ import annotations

import math
import numbers
import numpy as np


__all__ = ["apply_rope", "qk_abs_mean", "qk_centre", "triattention_scores"]


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


def geometric_offsets(max_offset=65536):
    """Problem 288. Future distances 1, 2, 4, ... up to the largest power of two <= max_offset (float64)."""
    if isinstance(max_offset, bool) or not isinstance(max_offset, (int, np.integer)):
        raise TypeError(f"max_offset must be an int, got {type(max_offset).__name__}")
    if max_offset < 1:
        raise ValueError(f"max_offset must be >= 1, got {max_offset}")
    return 2.0 ** np.arange(int(max_offset).bit_length())


def trig_score(q_centre, keys, key_positions, query_position, *, offsets=None,
               base=10000.0, rotated=False, aggregation="mean"):
    """Problem 288. Trigonometric term of the TriAttention score of every cached key.

    S_trig(j) = agg over delta of sum_f |q_f||k_jf| cos(omega_f (p + delta - t_j) + phi_jf).

    Args:
        q_centre: (F,) complex, calibration query centre E[q_f].
        keys: (n, 2F) float, pre-RoPE keys (RoPE-rotated at their positions if rotated=True).
        key_positions: (n,) finite positions t_j.
        query_position: scalar p, the position of the next query.
        offsets: 1-D non-empty future offsets; None -> geometric_offsets().
        base: RoPE base.
        rotated: keys are stored after RoPE; un-rotate them first.
        aggregation: "mean" or "max" over the offsets.

    Returns:
        (n,) float64.
    """
    q = np.asarray(q_centre)
    if q.dtype.kind != "c":
        raise TypeError(f"q_centre must be a complex array (one entry per frequency pair), got dtype {q.dtype}")
    if q.ndim != 1 or q.size == 0:
        raise ValueError(f"q_centre must be a non-empty 1-D array, got shape {q.shape}")
    if np.iscomplexobj(keys):
        raise TypeError("keys must be real (half-split layout)")
    k = np.asarray(keys, dtype=float)
    if k.ndim != 2 or k.shape[1] != 2 * q.shape[0]:
        raise ValueError(f"keys must have shape (n, {2 * q.shape[0]}) to match q_centre, got {k.shape}")
    pos = np.asarray(key_positions, dtype=float)
    if pos.shape != (k.shape[0],):
        raise ValueError(f"key_positions must have shape ({k.shape[0]},), got {pos.shape}")
    if not np.all(np.isfinite(pos)):
        raise ValueError("key_positions must be finite")
    p = float(query_position)
    if not np.isfinite(p):
        raise ValueError("query_position must be finite")
    deltas = geometric_offsets() if offsets is None else np.asarray(offsets, dtype=float)
    if deltas.ndim != 1 or deltas.size == 0:
        raise ValueError("offsets must be a non-empty 1-D array")
    if not np.all(np.isfinite(deltas)):
        raise ValueError("offsets must be finite")
    if not np.isfinite(base) or base <= 1:
        raise ValueError(f"base must be a finite number > 1, got {base}")
    if aggregation not in ("mean", "max"):
        raise ValueError(f"aggregation must be 'mean' or 'max', got {aggregation!r}")
    omega = base ** (-np.arange(q.shape[0]) / q.shape[0])        # (F,)
    zk = to_complex_pairs(k)                                       # (n, F)
    if rotated:
        zk = zk * np.exp(-1j * pos[:, None] * omega)               # undo RoPE
    coeff = q * np.conj(zk)                                        # (n, F): |q||k| e^{i phi}
    # cos(w (p + delta - t) + phi) = Re[coeff e^{i w (p - t)} e^{i w delta}]: one product over pairs
    near = coeff * np.exp(1j * (p - pos)[:, None] * omega)         # (n, F)
    per_offset = np.real(near @ np.exp(1j * deltas[:, None] * omega).T)   # (n, D), distance p + delta - t
    if aggregation == "mean":
        return per_offset.mean(axis=1)
    return per_offset.max(axis=1)


def norm_score(q_centre, q_abs_mean, keys):
    """Problem 288. Norm term: sum_f (E|q_f| - |E q_f|) |k_jf| for every key, shape (n,) float64."""
    q = np.asarray(q_centre)
    if q.dtype.kind != "c":
        raise TypeError(f"q_centre must be a complex array (one entry per frequency pair), got dtype {q.dtype}")
    if q.ndim != 1 or q.size == 0:
        raise ValueError(f"q_centre must be a non-empty 1-D array, got shape {q.shape}")
    mu = np.asarray(q_abs_mean, dtype=float)
    if mu.shape != q.shape:
        raise ValueError(f"q_abs_mean must have shape {q.shape}, got {mu.shape}")
    if np.iscomplexobj(keys):
        raise TypeError("keys must be real (half-split layout)")
    k = np.asarray(keys, dtype=float)
    if k.ndim != 2 or k.shape[1] != 2 * q.shape[0]:
        raise ValueError(f"keys must have shape (n, {2 * q.shape[0]}) to match q_centre, got {k.shape}")
    return np.abs(to_complex_pairs(k)) @ (mu - np.abs(q))


def triattention_scores(q_centre, q_abs_mean, keys, key_positions, query_position, *, offsets=None,
                        base=10000.0, rotated=False, aggregation="mean"):
    """Problem 288. TriAttention score S(j) = S_trig(j) + S_norm(j), shape (n,) float64."""
    trig = trig_score(q_centre, keys, key_positions, query_position, offsets=offsets,
                      base=base, rotated=rotated, aggregation=aggregation)
    # |k_f| is unchanged by RoPE, so the norm term needs no un-rotation
    return trig + norm_score(q_centre, q_abs_mean, keys)

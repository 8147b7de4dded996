"""Answers of earlier TriAttention problems, provided for the later problems of the chapter.

Released to students with the chapter: each later notebook imports what it needs from here, e.g.
``from triattention_given import apply_rope, qk_centre``. The functions follow the contracts
of the problems that introduce them (shapes, dtypes, errors).

Conventions: a real vector x of even length d = 2F is read as F complex frequency pairs
z_f = x[f] + i x[f + F] (half split); RoPE at position t multiplies z_f by exp(i w_f t) with
w_f = base ** (-2 f / d).
"""
from __future__ import annotations

import math
import numbers

import numpy as np


# --- problems 284-286 ---

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


def frequency_terms(q, k) -> tuple[np.ndarray, np.ndarray]:
    """Problem 285. Per-pair amplitude |q_f||k_f| and phase arg(q_f conj(k_f)) in (-pi, pi]."""
    q, k = np.asarray(q), np.asarray(k)
    if np.iscomplexobj(q) or np.iscomplexobj(k):
        raise TypeError("q and k must be real arrays")
    if q.ndim == 0 or k.ndim == 0 or q.shape[-1] != k.shape[-1]:
        raise ValueError(f"q and k must have the same last dimension, got {q.shape} and {k.shape}")
    if q.shape[-1] % 2 or q.shape[-1] == 0:
        raise ValueError(f"the last dimension of q and k must be even, got {q.shape[-1]}")
    try:
        np.broadcast_shapes(q.shape, k.shape)
    except ValueError:
        raise ValueError(f"q and k do not broadcast: {q.shape} and {k.shape}") from None
    prod = to_complex_pairs(q) * np.conj(to_complex_pairs(k))
    phase = np.angle(prod)
    phase = np.where(phase <= -np.pi, np.pi, phase)            # (-pi, pi]
    return np.abs(prod), phase


def trig_logit(q, k, distances, base: float = 10000.0, per_pair: bool = False) -> np.ndarray:
    """Problem 285. RoPE logit as sum_f A_f cos(w_f * distance + phi_f); shape of distances (+ (F,))."""
    q, k = np.asarray(q), np.asarray(k)
    if np.iscomplexobj(q) or np.iscomplexobj(k):
        raise TypeError("q and k must be real arrays")
    if q.ndim != 1 or k.ndim != 1 or q.shape != k.shape:
        raise ValueError(f"q and k must be 1-D of the same length, got {q.shape} and {k.shape}")
    amp, phase = frequency_terms(q, k)
    distances = np.asarray(distances, dtype=np.float64)
    if not np.all(np.isfinite(distances)):
        raise ValueError("distances must be finite")
    w = rope_frequencies(q.shape[0], base)
    terms = amp * np.cos(distances[..., None] * w + phase)     # S + (F,)
    return terms if per_pair else terms.sum(axis=-1)


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


def mean_resultant_length(x, positions=None, base: float = 10000.0) -> np.ndarray:
    """Problem 286. R_f = |E z_f| / E|z_f| per pair (0 where E|z_f| = 0); post-RoPE if positions given."""
    x = _check_samples(x)
    if positions is not None:
        positions = np.asarray(positions, dtype=np.float64)
        if positions.shape != (x.shape[0],):
            raise ValueError(f"positions must have shape ({x.shape[0]},), got {positions.shape}")
        x = apply_rope(x, positions, base)
    z = to_complex_pairs(x)
    mu = np.abs(z).mean(axis=0)
    centre = np.abs(z.mean(axis=0))
    safe = np.where(mu > 0, mu, 1.0)
    return np.where(mu > 0, np.minimum(centre / safe, 1.0), 0.0)


# --- problems 287-288 ---


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


def empirical_distance_logits(q, k, distances, base=10000.0):
    """Problem 287. Mean and spread of the actual RoPE logits at each distance along one sequence.

    Token t sits at position t. For a distance Delta the logits are
    L_t = RoPE_t(q_t) . RoPE_{t-Delta}(k_{t-Delta}) for t = Delta, ..., n-1.

    Args:
        q: (n, d) float, pre-RoPE queries.
        k: (n, d) float, pre-RoPE keys.
        distances: 1-D integers in [0, n).
        base: RoPE base.

    Returns:
        (mean, std): two float64 arrays of shape (T,), std with ddof = 0.
    """
    for name, x in (("q", q), ("k", k)):
        if np.iscomplexobj(x):
            raise TypeError(f"{name} must be real (half-split layout), got a complex array")
    q = np.asarray(q, dtype=float)
    k = np.asarray(k, dtype=float)
    if q.ndim != 2 or q.shape[1] == 0 or q.shape[1] % 2:
        raise ValueError(f"q must have shape (n, d) with d even, got {q.shape}")
    if k.shape != q.shape:
        raise ValueError(f"k must have the same shape as q {q.shape}, got {k.shape}")
    n = q.shape[0]
    dist = np.asarray(distances, dtype=float)
    if dist.ndim != 1 or dist.size == 0:
        raise ValueError(f"distances must be a non-empty 1-D array, got shape {dist.shape}")
    if not np.all(np.isfinite(dist)) or np.any(dist != np.round(dist)):
        raise ValueError("distances must be integers")
    if np.any(dist < 0) or np.any(dist >= n):
        raise ValueError(f"distances must lie in [0, n) = [0, {n})")
    # rotate every token by its own position, then pair query t with key t - Delta
    positions = np.arange(n, dtype=float)
    zq = to_complex_pairs(apply_rope(q, positions, base))   # (n, F)
    zk = to_complex_pairs(apply_rope(k, positions, base))   # (n, F)
    means = np.empty(dist.size)
    stds = np.empty(dist.size)
    for i, delta in enumerate(dist.astype(int)):
        logits = np.real(np.sum(zq[delta:] * np.conj(zk[: n - delta]), axis=1))
        means[i] = logits.mean()
        stds[i] = logits.std()
    return means, stds


def preferred_distance(q_centre, k_centre, max_distance, base=10000.0):
    """Problem 287. The distance 0..max_distance (inclusive) where the centre series peaks (first maximum).

    Returns:
        int.
    """
    if isinstance(max_distance, bool) or not isinstance(max_distance, (int, np.integer)):
        raise TypeError(f"max_distance must be an int, got {type(max_distance).__name__}")
    if max_distance < 0:
        raise ValueError(f"max_distance must be >= 0, got {max_distance}")
    curve = distance_preference(q_centre, k_centre, np.arange(int(max_distance) + 1), base)
    return int(np.argmax(curve))


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


def aggregate_head_scores(scores, how="max"):
    """Problem 288. Z-score each head's row (population std floored at 1e-6), then max or mean over heads.

    Args:
        scores: (h, n) float, one row per query head sharing a KV head.
        how: "max" (default of the released code) or "mean".

    Returns:
        (n,) float64.
    """
    s = np.asarray(scores, dtype=float)
    if s.ndim != 2 or s.size == 0:
        raise ValueError(f"scores must be a non-empty 2-D array (heads, keys), got shape {s.shape}")
    if how not in ("max", "mean"):
        raise ValueError(f"how must be 'max' or 'mean', got {how!r}")
    z = (s - s.mean(axis=1, keepdims=True)) / np.maximum(s.std(axis=1, keepdims=True), 1e-6)
    return z.max(axis=0) if how == "max" else z.mean(axis=0)


# --- problem 289 (reference answers, imported by no notebook; the course figures use them) ---

def attention_weights(queries, query_positions, keys, key_positions, *, base=10000.0):
    """Problem 289 (provided there). Causal softmax of RoPE logits / sqrt(d), shape (m, n)."""
    q, k = np.asarray(queries, dtype=float), np.asarray(keys, dtype=float)
    qp, kp = np.asarray(query_positions, dtype=float), np.asarray(key_positions, dtype=float)
    visible = kp[None, :] <= qp[:, None]
    if not np.all(visible.any(axis=1)):
        raise ValueError("every query needs at least one visible key (key position <= query position)")
    logits = apply_rope(q, qp, base) @ apply_rope(k, kp, base).T / np.sqrt(q.shape[1])
    logits = np.where(visible, logits, -np.inf)
    weights = np.exp(logits - logits.max(axis=1, keepdims=True))
    return weights / weights.sum(axis=1, keepdims=True)


def select_window_attention(window_queries, window_positions, keys, key_positions, budget, *, base=10000.0):
    """Problem 289. The window's own w keys plus the budget - w keys it attends to most (sorted int64)."""
    w = np.asarray(window_queries).shape[0]
    attn = attention_weights(window_queries, window_positions, keys, key_positions, base=base).mean(axis=0)
    if attn.shape[0] <= budget:
        return np.arange(attn.shape[0], dtype=np.int64)
    score = attn.copy()
    score[np.argsort(-np.asarray(key_positions, dtype=float), kind="stable")[:w]] = np.inf
    return np.sort(np.argsort(-score, kind="stable")[:budget]).astype(np.int64)


def select_triattention(q_centre, q_abs_mean, keys, key_positions, query_position, budget, *,
                        offsets=None, base=10000.0):
    """Problem 289. The budget keys with the largest TriAttention scores (sorted int64)."""
    scores = triattention_scores(q_centre, q_abs_mean, keys, key_positions, query_position,
                                 offsets=offsets, base=base)
    if scores.size <= budget:
        return np.arange(scores.size, dtype=np.int64)
    return np.sort(np.argsort(-scores, kind="stable")[:budget]).astype(np.int64)

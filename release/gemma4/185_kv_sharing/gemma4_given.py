"""What problem 185 is given from the Gemma 4 chapter.

Problems build on each other: once an earlier problem is done, later ones may rely on it
without trusting your own version. This module holds the reference answers that
problem 185 uses, and nothing more:

* ``apply_rope``: your answer to problem 183
* ``attention_core``: your answer to problem 181
* ``gemma4_qkv``: your answer to problem 181
* ``rms_norm``: your answer to problem 182
* ``rope_inv_freq``: your answer to problem 183
"""
from __future__ import annotations

import numpy as np
from mlpapers.arguments import choice, int_array, integer, real, real_array, require


__all__ = ["apply_rope", "attention_core", "gemma4_qkv", "rms_norm", "rope_inv_freq"]


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


def _heads(n_heads, n_kv_heads, head_dim) -> tuple[int, int, int]:
    H = integer(n_heads, "n_heads", low=1)
    Hkv = integer(n_kv_heads, "n_kv_heads", low=1)
    d = integer(head_dim, "head_dim", low=2)
    require(H % Hkv == 0, "n_heads", f"a multiple of n_kv_heads = {Hkv}", H)
    return H, Hkv, d


def gemma4_qkv(x, w_q, w_k, w_v, q_norm_weight, k_norm_weight, n_heads: int, n_kv_heads: int,
               head_dim: int, positions, inv_freq, eps: float = 1e-6):
    """Problem 181. q = RoPE(RMSNorm(x W_q) g_q), k = RoPE(RMSNorm(x W_k) g_k), v = RMSNorm(x W_v).

    w_v None: K = V (values from the raw key projection). Returns q (T, H, d), k and v (T, Hkv, d).
    """
    H, Hkv, d = _heads(n_heads, n_kv_heads, head_dim)
    x = real_array(x, "x", ndim=2)
    T, D = x.shape
    w_q = real_array(w_q, "w_q", shape=(D, H * d))
    w_k = real_array(w_k, "w_k", shape=(D, Hkv * d))
    w_v = w_k if w_v is None else real_array(w_v, "w_v", shape=(D, Hkv * d))
    q = rms_norm((x @ w_q).reshape(T, H, d), q_norm_weight, eps)
    k = rms_norm((x @ w_k).reshape(T, Hkv, d), k_norm_weight, eps)
    v = rms_norm((x @ w_v).reshape(T, Hkv, d), None, eps)
    return apply_rope(q, positions, inv_freq), apply_rope(k, positions, inv_freq), v


def attention_core(q, k, v, q_positions, k_positions, sliding_window: int | None = None) -> np.ndarray:
    """Problem 181. Grouped-query softmax(q k^T + mask) v with scale 1; (Tq, H*d).

    Key j is visible to query i iff k_pos[j] <= q_pos[i] and (no window or q_pos[i] - k_pos[j] < W).
    """
    q = real_array(q, "q", ndim=3)
    k = real_array(k, "k", ndim=3)
    v = real_array(v, "v", shape=k.shape)
    Tq, H, d = q.shape
    Tk, Hkv, dk = k.shape
    require(dk == d, "k", f"of head dimension {d}", dk)
    require(H % Hkv == 0, "q", f"a number of heads that is a multiple of {Hkv}", H)
    qp = int_array(q_positions, "q_positions", shape=(Tq,))
    kp = int_array(k_positions, "k_positions", shape=(Tk,))
    visible = kp[None, :] <= qp[:, None]
    if sliding_window is not None:
        W = integer(sliding_window, "sliding_window", low=1)
        visible &= (qp[:, None] - kp[None, :]) < W
    require(bool(visible.any(axis=1).all()), "q_positions", "such that every query sees at least one key")
    group = H // Hkv
    kh = np.repeat(k, group, axis=1)                          # (Tk, H, d): head h reads KV head h // group
    vh = np.repeat(v, group, axis=1)
    scores = np.einsum("qhd,khd->hqk", q, kh)
    scores = np.where(visible[None], scores, -np.inf)
    scores -= scores.max(axis=-1, keepdims=True)
    weights = np.exp(scores)
    weights /= weights.sum(axis=-1, keepdims=True)
    return np.einsum("hqk,khd->qhd", weights, vh).reshape(Tq, H * d)

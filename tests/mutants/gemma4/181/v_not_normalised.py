"""Skipping the value norm: v is the raw projection x @ w_v instead of RMSNorm(x @ w_v)."""
import numpy as np

from gemma4_given import apply_rope, rms_norm
from mlpapers.arguments import int_array, integer, real, real_array, require


def gemma4_qkv(x, w_q, w_k, w_v, q_norm_weight, k_norm_weight, n_heads, n_kv_heads, head_dim,
               positions, inv_freq, eps=1e-6):
    """Queries, keys and values of one Gemma 4 attention layer, equations (1) and (2).

    Args:
        x: (T, D) layer input.  w_q: (D, H*d).  w_k: (D, H_kv*d).  w_v: (D, H_kv*d), or None for
        K = V (values from the raw key projection).  q_norm_weight, k_norm_weight: (d,).
        n_heads, n_kv_heads, head_dim: H, H_kv (H a multiple of H_kv), d (even).
        positions: (T,) integers.  inv_freq: (d/2,) RoPE inverse frequencies.  eps: RMSNorm epsilon.

    Returns:
        q (T, H, d) = RoPE(RMSNorm(head) * q_norm_weight), k (T, H_kv, d) likewise with
        k_norm_weight, v (T, H_kv, d) = RMSNorm(head) with no scale and no RoPE; float64.

    Raises:
        ValueError: sizes not positive, H not a multiple of H_kv, odd d, any shape mismatch.
        TypeError: non-numeric arrays or non-integer sizes.
    """
    H = integer(n_heads, "n_heads", low=1)
    Hkv = integer(n_kv_heads, "n_kv_heads", low=1)
    d = integer(head_dim, "head_dim", low=2)
    require(H % Hkv == 0, "n_heads", f"a multiple of n_kv_heads = {Hkv}", H)
    require(d % 2 == 0, "head_dim", "even (RoPE pairs entries i and i + d/2)", d)
    x = real_array(x, "x", ndim=2)
    T, D = x.shape
    w_q = real_array(w_q, "w_q", shape=(D, H * d))
    w_k = real_array(w_k, "w_k", shape=(D, Hkv * d))
    w_v = None if w_v is None else real_array(w_v, "w_v", shape=(D, Hkv * d))
    q_norm_weight = real_array(q_norm_weight, "q_norm_weight", shape=(d,))
    k_norm_weight = real_array(k_norm_weight, "k_norm_weight", shape=(d,))
    positions = int_array(positions, "positions", shape=(T,))
    inv_freq = real_array(inv_freq, "inv_freq", shape=(d // 2,))
    eps = real(eps, "eps", low=0.0)
    raw_q = (x @ w_q).reshape(T, H, d)                       # column block h*d..(h+1)*d is head h
    raw_k = (x @ w_k).reshape(T, Hkv, d)
    raw_v = raw_k if w_v is None else (x @ w_v).reshape(T, Hkv, d)   # K = V: the raw key projection
    q = apply_rope(rms_norm(raw_q, q_norm_weight, eps), positions, inv_freq)   # norm, scale, then rotate
    k = apply_rope(rms_norm(raw_k, k_norm_weight, eps), positions, inv_freq)
    v = raw_v                                                # the mistake: no v norm
    return q, k, v

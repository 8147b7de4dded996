"""Answers of earlier Gemma 4 problems, provided for the later problems of the chapter.

Released to students with the chapter, cut to what each notebook imports (e.g. problem 181 gets
``rms_norm`` of 182 and ``rope_inv_freq``, ``apply_rope`` of 183). The functions follow the
contracts of the problems that introduce them (shapes, dtypes, errors). Reading order:
182 -> 183 -> 181 -> 184 -> 185.

Conventions, as in Hugging Face ``transformers`` (``models/gemma4/modeling_gemma4.py``): RoPE pairs
dimension i with i + d/2 (``rotate_half``); a projection's output column block h*d..(h+1)*d is
head h; query head h reads KV head h // (H / H_kv); attention scores are not divided by sqrt(d).
"""
from __future__ import annotations

import math
import numbers
from typing import Sequence

import numpy as np

from mlpapers.arguments import choice, int_array, integer, real, real_array, require

SLIDING, FULL = "sliding_attention", "full_attention"


# --- problem 182 ------------------------------------------------------------------------------

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


# --- problem 183 ------------------------------------------------------------------------------

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


# --- problem 181 ------------------------------------------------------------------------------

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


def gemma4_attention(x, w_q, w_k, w_v, w_o, q_norm_weight, k_norm_weight, n_heads: int, n_kv_heads: int,
                     head_dim: int, positions, inv_freq, sliding_window: int | None = None,
                     eps: float = 1e-6) -> np.ndarray:
    """Problem 181. The whole attention block: gemma4_qkv, attention_core, output projection; (T, D)."""
    H, Hkv, d = _heads(n_heads, n_kv_heads, head_dim)
    x = real_array(x, "x", ndim=2)
    w_o = real_array(w_o, "w_o", shape=(H * d, x.shape[1]))
    q, k, v = gemma4_qkv(x, w_q, w_k, w_v, q_norm_weight, k_norm_weight, H, Hkv, d, positions, inv_freq, eps)
    return attention_core(q, k, v, positions, positions, sliding_window) @ w_o


# --- problem 184 ------------------------------------------------------------------------------

def gelu_tanh(x) -> np.ndarray:
    """GELU, tanh approximation: x/2 (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))."""
    x = np.asarray(x, dtype=np.float64)
    return 0.5 * x * (1.0 + np.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3)))


def ple_inputs(token_ids, inputs_embeds, ple_table, w_model_proj, proj_norm_weight, num_layers: int,
               eps: float = 1e-6) -> np.ndarray:
    """Problem 184. u_l = (RMSNorm(e W / sqrt(D))_l * g + sqrt(P) E_ple[id]_l) / sqrt(2); (T, L, P)."""
    ids = np.asarray(token_ids)
    if ids.dtype.kind not in "iu":
        raise TypeError(f"token_ids must hold integers, got dtype {ids.dtype}")
    L = integer(num_layers, "num_layers", low=1)
    table = real_array(ple_table, "ple_table", ndim=2)
    V, width = table.shape
    require(width % L == 0, "ple_table", f"a width divisible by num_layers = {L}", width)
    P = width // L
    ids = int_array(ids, "token_ids", ndim=1, low=0, high=V - 1)
    e = real_array(inputs_embeds, "inputs_embeds", shape=(ids.size, None))
    D = e.shape[1]
    w = real_array(w_model_proj, "w_model_proj", shape=(D, L * P))
    proj = (e @ w / math.sqrt(D)).reshape(ids.size, L, P)
    c = rms_norm(proj, proj_norm_weight, eps)
    t = math.sqrt(P) * table[ids].reshape(ids.size, L, P)
    return (c + t) / math.sqrt(2.0)


def per_layer_input_gate(h, per_layer_input, w_gate, w_proj, post_norm_weight, eps: float = 1e-6) -> np.ndarray:
    """Problem 184. h + RMSNorm((GELU_tanh(h W_gate) * u) W_proj) * g; (T, D)."""
    h = real_array(h, "h", ndim=2)
    T, D = h.shape
    u = real_array(per_layer_input, "per_layer_input", shape=(T, None))
    P = u.shape[1]
    w_gate = real_array(w_gate, "w_gate", shape=(D, P))
    w_proj = real_array(w_proj, "w_proj", shape=(P, D))
    return h + rms_norm((gelu_tanh(h @ w_gate) * u) @ w_proj, post_norm_weight, eps)


def ple_param_count(vocab_size: int, num_layers: int, ple_dim: int) -> int:
    """Problem 184. Entries of the per-layer embedding table: vocab_size * num_layers * ple_dim."""
    return (integer(vocab_size, "vocab_size", low=1) * integer(num_layers, "num_layers", low=1)
            * integer(ple_dim, "ple_dim", low=1))


# --- problem 185 ------------------------------------------------------------------------------

def kv_sharing_map(layer_types: Sequence[str], num_kv_shared_layers: int) -> list[int]:
    """Problem 185. src(i) = i before the first shared layer f = L - n_shared; after it, the last
    layer before f of the same type."""
    types = [choice(t, f"layer_types[{i}]", (SLIDING, FULL)) for i, t in enumerate(layer_types)]
    L = len(types)
    n = integer(num_kv_shared_layers, "num_kv_shared_layers", low=0)
    require(n < L, "num_kv_shared_layers", f"smaller than the number of layers ({L})", n)
    first = L - n
    out = []
    for i, t in enumerate(types):
        if i < first:
            out.append(i)
            continue
        earlier = [j for j in range(first) if types[j] == t]
        require(bool(earlier), "layer_types", f"a {t} layer before the first shared layer {first}")
        out.append(earlier[-1])
    return out


def kv_cache_bytes(config: dict, seq_len: int, bytes_per_elem: int = 2, batch: int = 1,
                   share_kv: bool = True, use_sliding_window: bool = True, global_kv_tensors: int = 2) -> int:
    """Problem 185. Bytes of the K/V cache after seq_len tokens (sliding owners min(T, W) tokens,
    full owners T, shared layers none)."""
    if not isinstance(config, dict):
        raise TypeError(f"config must be a dict, got {type(config).__name__}")
    T = integer(seq_len, "seq_len", low=1)
    b = integer(bytes_per_elem, "bytes_per_elem", low=1)
    B = integer(batch, "batch", low=1)
    kappa = integer(global_kv_tensors, "global_kv_tensors", low=1, high=2)
    types = config["layer_types"]
    src = kv_sharing_map(types, config["num_kv_shared_layers"] if share_kv else 0)
    W = integer(config["sliding_window"], "config['sliding_window']", low=1)
    k_eq_v = bool(config.get("attention_k_eq_v", False))
    global_kv = config.get("num_global_key_value_heads") if k_eq_v else None
    global_kv = config["num_key_value_heads"] if global_kv is None else global_kv
    total = 0
    for i, t in enumerate(types):
        if src[i] != i:
            continue
        if t == SLIDING:
            total += 2 * config["num_key_value_heads"] * config["head_dim"] * (min(T, W) if use_sliding_window else T)
        else:
            total += (kappa if k_eq_v else 2) * global_kv * config["global_head_dim"] * T
    return b * B * total


def _stack_layer(a, layer: dict, kv, is_sliding: bool, positions, k_positions, W: int, eps: float):
    """One layer's attention output (before its post-norm) given its KV (k, v, k_positions)."""
    T = a.shape[0]
    H, d = layer["n_heads"], layer["head_dim"]
    q = apply_rope(rms_norm((a @ layer["w_q"]).reshape(T, H, d), layer["q_norm"], eps), positions, layer["inv_freq"])
    k, v = kv
    out = attention_core(q, k, v, positions, k_positions, W if is_sliding else None)
    return out @ layer["w_o"]


def _own_kv(a, layer: dict, positions, eps: float):
    """K and V of a cache-owning layer from its (pre-normed) input a."""
    T = a.shape[0]
    Hkv, d = layer["n_kv_heads"], layer["head_dim"]
    raw_k = (a @ layer["w_k"]).reshape(T, Hkv, d)
    raw_v = raw_k if layer.get("w_v") is None else (a @ layer["w_v"]).reshape(T, Hkv, d)
    k = apply_rope(rms_norm(raw_k, layer["k_norm"], eps), positions, layer["inv_freq"])
    return k, rms_norm(raw_v, None, eps)


def _check_stack(x, layers, layer_types, num_kv_shared_layers, sliding_window):
    x = real_array(x, "x", ndim=2)
    require(len(layers) == len(layer_types), "layers", f"one dict per layer type ({len(layer_types)})", len(layers))
    src = kv_sharing_map(layer_types, num_kv_shared_layers)
    W = integer(sliding_window, "sliding_window", low=1)
    return x, src, W


def shared_kv_stack(x, layers: list[dict], layer_types: Sequence[str], num_kv_shared_layers: int,
                    sliding_window: int, eps: float = 1e-6) -> np.ndarray:
    """Problem 185. The attention-only stack over the whole sequence (prefill); (T, D)."""
    h, src, W = _check_stack(x, layers, layer_types, num_kv_shared_layers, sliding_window)
    positions = np.arange(h.shape[0])
    kvs: dict[int, tuple] = {}
    for i, layer in enumerate(layers):
        a = rms_norm(h, layer["pre_norm"], eps)
        if src[i] == i:
            kvs[i] = _own_kv(a, layer, positions, eps)
        attn = _stack_layer(a, layer, kvs[src[i]], layer_types[i] == SLIDING, positions, positions, W, eps)
        h = h + rms_norm(attn, layer["post_norm"], eps)
    return h


def shared_kv_decode(x, layers: list[dict], layer_types: Sequence[str], num_kv_shared_layers: int,
                     sliding_window: int, eps: float = 1e-6):
    """Problem 185. The same stack one token at a time with per-layer caches; (outputs (T, D), cache lengths)."""
    x, src, W = _check_stack(x, layers, layer_types, num_kv_shared_layers, sliding_window)
    caches: dict[int, list] = {i: [] for i in range(len(layers)) if src[i] == i}   # [(pos, k, v), ...]
    outputs = []
    for t in range(x.shape[0]):
        h = x[t:t + 1]
        pos = np.array([t])
        for i, layer in enumerate(layers):
            a = rms_norm(h, layer["pre_norm"], eps)
            if src[i] == i:
                k, v = _own_kv(a, layer, pos, eps)
                caches[i].append((t, k[0], v[0]))
                if layer_types[i] == SLIDING:
                    del caches[i][:-W]
            cache = caches[src[i]]
            kv = (np.stack([c[1] for c in cache]), np.stack([c[2] for c in cache]))
            kp = np.array([c[0] for c in cache])
            attn = _stack_layer(a, layer, kv, layer_types[i] == SLIDING, pos, kp, W, eps)
            h = h + rms_norm(attn, layer["post_norm"], eps)
        outputs.append(h[0])
    lengths = [len(caches[i]) if i in caches else 0 for i in range(len(layers))]
    return np.stack(outputs), lengths

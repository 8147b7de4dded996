"""Answers of earlier DeepSeek-V4 problems, provided for the later problems of the chapter.

Released to students with the chapter, cut to what each notebook imports (369 gets
``sinkhorn_knopp`` of 360; 372 gets the DSA pieces of 370 and the compressors of 371). The
functions follow the contracts of the problems that introduce them (shapes, dtypes, errors).
Reading order 360 -> 361 -> 369 -> 370 -> 371 -> 372.
"""
from __future__ import annotations

import math
from typing import Callable, Sequence

import numpy as np

from mlpapers.arguments import generator, int_array, integer, real, real_array, require


def _finite_real(x, name: str, **kw) -> np.ndarray:
    arr = np.asarray(x)
    if arr.dtype.kind not in "iuf":
        raise TypeError(f"{name} must hold real numbers, got dtype {arr.dtype}")
    return real_array(arr, name, **kw)


# --- problem 360: Sinkhorn-Knopp ----------------------------------------------------------------

def sinkhorn_knopp(logits, n_iters: int = 20) -> np.ndarray:
    """Problem 360. M0 = exp(logits - max per matrix); n_iters times: columns, then rows; (..., n, n)."""
    L = _finite_real(logits, "logits")
    require(L.ndim >= 2 and L.shape[-1] == L.shape[-2] and L.shape[-1] >= 1, "logits",
            "of shape (..., n, n) with n >= 1", f"shape {L.shape}")
    n_iters = integer(n_iters, "n_iters", low=1)
    M = np.exp(L - L.max(axis=(-2, -1), keepdims=True))
    for _ in range(n_iters):
        M = M / M.sum(axis=-2, keepdims=True)
        M = M / M.sum(axis=-1, keepdims=True)
    return M


def sinkhorn_column_errors(logits, n_iters: int) -> np.ndarray:
    """Problem 360. max_j |column sum_j - 1| after each of n_iters full sweeps; (n_iters,)."""
    L = _finite_real(logits, "logits", ndim=2)
    require(L.shape[0] == L.shape[1] and L.shape[0] >= 1, "logits", "square", f"shape {L.shape}")
    n_iters = integer(n_iters, "n_iters", low=1)
    M = np.exp(L - L.max())
    errors = np.empty(n_iters)
    for t in range(n_iters):
        M = M / M.sum(axis=0, keepdims=True)
        M = M / M.sum(axis=1, keepdims=True)
        errors[t] = np.max(np.abs(M.sum(axis=0) - 1.0))
    return errors


def is_doubly_stochastic(M, atol: float = 1e-6) -> bool:
    """Problem 360. Non-negative (to atol) with row and column sums within atol of 1."""
    M = np.asarray(M)
    if M.dtype.kind not in "iuf":
        raise TypeError(f"M must hold real numbers, got dtype {M.dtype}")
    require(M.ndim == 2 and M.shape[0] == M.shape[1], "M", "a square 2-D matrix", f"shape {M.shape}")
    atol = real(atol, "atol", low=0.0)
    M = M.astype(np.float64)
    if not np.all(np.isfinite(M)):
        return False
    return bool(np.all(M >= -atol) and np.all(np.abs(M.sum(axis=0) - 1) <= atol)
                and np.all(np.abs(M.sum(axis=1) - 1) <= atol))


# --- problem 361: Newton-Schulz and the V4 Muon update ---------------------------------------

QUINTIC_COEFFS = (3.4445, -4.7750, 2.0315)
STABILISE_COEFFS = (2.0, -1.5, 0.5)


def v4_ns_schedule() -> list[tuple[float, float, float]]:
    """Problem 361. V4's hybrid schedule: 8 quintic steps, then 2 stabilising steps."""
    return [QUINTIC_COEFFS] * 8 + [STABILISE_COEFFS] * 2


def _coeffs(coeffs) -> list[tuple[float, float, float]]:
    if isinstance(coeffs, (str, bytes)) or not isinstance(coeffs, Sequence):
        raise TypeError(f"coeffs must be a sequence of (a, b, c) triples, got {type(coeffs).__name__}")
    require(len(coeffs) >= 1, "coeffs", "non-empty")
    out = []
    for k, triple in enumerate(coeffs):
        require(isinstance(triple, Sequence) and not isinstance(triple, str) and len(triple) == 3,
                f"coeffs[{k}]", "an (a, b, c) triple", triple)
        out.append(tuple(real(v, f"coeffs[{k}]") for v in triple))
    return out


def ns_scalar_map(sigma, coeffs) -> np.ndarray:
    """Problem 361. p_K(...p_1(sigma)) elementwise with p(x) = a x + b x^3 + c x^5."""
    x = _finite_real(sigma, "sigma")
    for a, b, c in _coeffs(coeffs):
        x = a * x + b * x ** 3 + c * x ** 5
    return x


def newton_schulz(G, coeffs, eps: float = 1e-7) -> np.ndarray:
    """Problem 361. X0 = G / (||G||_F + eps), X <- a X + b (X X^T) X + c (X X^T)^2 X on the wide side."""
    G = _finite_real(G, "G", ndim=2)
    require(G.size > 0, "G", "non-empty", f"shape {G.shape}")
    steps = _coeffs(coeffs)
    eps = real(eps, "eps", low=0.0)
    tall = G.shape[0] > G.shape[1]
    X = G.T if tall else G
    X = X / (np.linalg.norm(X) + eps)
    for a, b, c in steps:
        A = X @ X.T
        X = a * X + (b * A + c * A @ A) @ X
    return X.T if tall else X


def polar_factor(G) -> np.ndarray:
    """Problem 361. U V^T from the reduced SVD of G."""
    G = _finite_real(G, "G", ndim=2)
    require(G.size > 0, "G", "non-empty", f"shape {G.shape}")
    U, _, Vt = np.linalg.svd(G, full_matrices=False)
    return U @ Vt


def muon_update(G, M_prev, mu: float = 0.95, gamma: float = 0.18, coeffs=None, eps: float = 1e-7):
    """Problem 361. (O, M): M = mu M_prev + G, O = NS(mu M + G) * sqrt(max(G.shape)) * gamma."""
    G = _finite_real(G, "G", ndim=2)
    M_prev = _finite_real(M_prev, "M_prev", shape=G.shape)
    mu = real(mu, "mu")
    require(0 <= mu < 1, "mu", "in [0, 1)", mu)
    gamma = real(gamma, "gamma")
    require(gamma > 0, "gamma", "> 0", gamma)
    M = mu * M_prev + G
    O = newton_schulz(mu * M + G, v4_ns_schedule() if coeffs is None else coeffs, eps)
    return O * math.sqrt(max(G.shape)) * gamma, M


def muon_step(W, G, M_prev, lr: float, mu: float = 0.95, weight_decay: float = 0.1, gamma: float = 0.18,
              coeffs=None, eps: float = 1e-7):
    """Problem 361. (W (1 - lr wd) - lr O, M) with (O, M) = muon_update(...)."""
    G = _finite_real(G, "G", ndim=2)
    W = _finite_real(W, "W", shape=G.shape)
    lr = real(lr, "lr", low=0.0)
    weight_decay = real(weight_decay, "weight_decay", low=0.0)
    O, M = muon_update(G, M_prev, mu, gamma, coeffs, eps)
    return W * (1 - lr * weight_decay) - lr * O, M


# --- problem 369: the mHC residual stream -----------------------------------------------------

def _rms_rows(flat, eps):
    return flat / np.sqrt(np.mean(flat * flat, axis=-1, keepdims=True) + eps)


def mhc_mappings(X, W_pre, W_post, W_res, S_pre, S_post, S_res, alpha_pre: float, alpha_post: float,
                 alpha_res: float, *, constrained: bool = True, n_iters: int = 20, norm_eps: float = 1e-6):
    """Problem 369. (A (..., n), B (..., n, n), C (..., n)): sigmoid, Sinkhorn and 2 sigmoid of the
    dynamic (RMSNorm(vec X) W) plus static terms; constrained=False returns the raw terms."""
    X = _finite_real(X, "X")
    require(X.ndim >= 2, "X", "of shape (..., n, d)", f"shape {X.shape}")
    n, d = X.shape[-2:]
    W_pre = _finite_real(W_pre, "W_pre", shape=(n * d, n))
    W_post = _finite_real(W_post, "W_post", shape=(n * d, n))
    W_res = _finite_real(W_res, "W_res", shape=(n * d, n * n))
    S_pre = _finite_real(S_pre, "S_pre", shape=(n,))
    S_post = _finite_real(S_post, "S_post", shape=(n,))
    S_res = _finite_real(S_res, "S_res", shape=(n, n))
    a_pre, a_post, a_res = (real(a, name) for a, name in ((alpha_pre, "alpha_pre"), (alpha_post, "alpha_post"),
                                                            (alpha_res, "alpha_res")))
    if not isinstance(constrained, bool):
        raise TypeError(f"constrained must be a bool, got {type(constrained).__name__}")
    norm_eps = real(norm_eps, "norm_eps")
    require(norm_eps > 0, "norm_eps", "> 0", norm_eps)
    flat = _rms_rows(X.reshape(X.shape[:-2] + (n * d,)), norm_eps)
    A = a_pre * flat @ W_pre + S_pre
    B = a_res * (flat @ W_res).reshape(X.shape[:-2] + (n, n)) + S_res
    C = a_post * flat @ W_post + S_post
    if not constrained:
        return A, B, C
    return 1 / (1 + np.exp(-A)), sinkhorn_knopp(B, n_iters), 2 / (1 + np.exp(-C))


def mhc_layer(X, F: Callable, A, B, C) -> np.ndarray:
    """Problem 369. B X + C F(A X) for X (..., n, d)."""
    X = _finite_real(X, "X")
    require(X.ndim >= 2, "X", "of shape (..., n, d)", f"shape {X.shape}")
    if not callable(F):
        raise TypeError(f"F must be callable, got {type(F).__name__}")
    lead, (n, d) = X.shape[:-2], X.shape[-2:]
    A = _finite_real(A, "A", shape=lead + (n,))
    B = _finite_real(B, "B", shape=lead + (n, n))
    C = _finite_real(C, "C", shape=lead + (n,))
    h = np.einsum("...i,...id->...d", A, X)
    out = np.asarray(F(h), dtype=np.float64)
    require(out.shape == h.shape, "F", f"to return shape {h.shape}", f"shape {out.shape}")
    return np.einsum("...ij,...jd->...id", B, X) + C[..., :, None] * out[..., None, :]


def gain_curve(B_stack) -> np.ndarray:
    """Problem 369. Row l: (max abs row sum, max abs column sum) of P_l = B_l ... B_0; (L, 2)."""
    B = _finite_real(B_stack, "B_stack", ndim=3)
    require(B.shape[0] >= 1 and B.shape[1] == B.shape[2] and B.shape[1] >= 1, "B_stack",
            "of shape (L, n, n) with L, n >= 1", f"shape {B.shape}")
    P = np.eye(B.shape[1])
    out = np.empty((B.shape[0], 2))
    for layer, Bl in enumerate(B):
        P = Bl @ P
        out[layer] = np.abs(P).sum(axis=1).max(), np.abs(P).sum(axis=0).max()
    return out


def composite_gain(B_stack) -> tuple[float, float]:
    """Problem 369. (forward, backward) gain of the whole product."""
    forward, backward = gain_curve(B_stack)[-1]
    return float(forward), float(backward)


def depth_gain_experiment(L: int, n: int, sigma: float, rng, n_iters: int = 20) -> dict:
    """Problem 369. R = I + sigma N(0, 1) in one draw (L, n, n); gain curves of R and Sinkhorn(R)."""
    L = integer(L, "L", low=1)
    n = integer(n, "n", low=1)
    sigma = real(sigma, "sigma", low=0.0)
    rng = generator(rng)
    R = np.eye(n) + sigma * rng.standard_normal((L, n, n))
    return {"hc": gain_curve(R), "mhc": gain_curve(sinkhorn_knopp(R, n_iters))}


# --- problem 370: DeepSeek Sparse Attention -----------------------------------------------------

def indexer_scores(q_idx, w_idx, k_idx) -> np.ndarray:
    """Problem 370. I[t, s] = sum_h w[t, h] ReLU(q[t, h] . k[s]); (T, S)."""
    q = _finite_real(q_idx, "q_idx", ndim=3)
    T, H, c = q.shape
    w = _finite_real(w_idx, "w_idx", shape=(T, H))
    k = _finite_real(k_idx, "k_idx", shape=(None, c))
    return np.einsum("th,ths->ts", w, np.maximum(np.einsum("thc,sc->ths", q, k), 0.0))


def topk_select(scores, k: int, visible) -> np.ndarray:
    """Problem 370. Per row the k visible positions with the largest score (ties: smaller index),
    ascending, padded with -1; (T, k) int64."""
    scores = _finite_real(scores, "scores", ndim=2)
    k = integer(k, "k", low=1)
    visible = np.asarray(visible)
    if visible.dtype != np.bool_:
        raise TypeError(f"visible must be a bool array, got dtype {visible.dtype}")
    require(visible.shape == scores.shape, "visible", f"of shape {scores.shape}", f"shape {visible.shape}")
    T, S = scores.shape
    out = np.full((T, k), -1, dtype=np.int64)
    for t in range(T):
        cand = np.flatnonzero(visible[t])
        order = cand[np.argsort(-scores[t, cand], kind="stable")][:k]
        out[t, :order.size] = np.sort(order)
    return out


def _check_idx(idx, T: int, S: int, name: str = "idx") -> np.ndarray:
    arr = np.asarray(idx)
    if arr.dtype.kind not in "iu":
        raise TypeError(f"{name} must hold integers, got dtype {arr.dtype}")
    arr = int_array(arr, name, ndim=2, low=-1, high=S - 1)
    require(arr.shape[0] == T, name, f"{T} rows", arr.shape[0])
    for row in arr:
        chosen = row[row >= 0]
        require(np.unique(chosen).size == chosen.size, name, "without repeated entries in a row", row.tolist())
    return arr


def _softmax_with_sink(logits, mask, sink):
    """Weights exp(z) / (sum exp(z) + exp(sink)) over the masked entries of the last axis."""
    z = np.where(mask, logits, -np.inf)
    top = z.max(axis=-1, keepdims=True)
    if sink is not None:
        top = np.maximum(top, sink)
    top = np.where(np.isfinite(top), top, 0.0)
    e = np.where(mask, np.exp(z - top), 0.0)
    denom = e.sum(axis=-1, keepdims=True)
    if sink is not None:
        denom = denom + np.exp(sink - top)
    return np.divide(e, denom, out=np.zeros_like(e), where=denom > 0)


def sparse_mqa_attention(q, keys, values, idx, scale: float, sink_logits=None) -> np.ndarray:
    """Problem 370. Softmax (with optional sink) over the selected shared keys; (T, H, Dv)."""
    q = _finite_real(q, "q", ndim=3)
    T, H, D = q.shape
    keys = _finite_real(keys, "keys", shape=(None, D))
    S = keys.shape[0]
    values = _finite_real(values, "values", shape=(S, None))
    idx = _check_idx(idx, T, S)
    scale = real(scale, "scale")
    require(scale > 0, "scale", "> 0", scale)
    sink = None if sink_logits is None else _finite_real(sink_logits, "sink_logits", shape=(H,))
    safe = np.maximum(idx, 0)                                   # (T, K)
    mask = (idx >= 0)[:, None, :]                               # (T, 1, K)
    logits = scale * np.einsum("thd,tkd->thk", q, keys[safe])
    weights = _softmax_with_sink(logits, mask, None if sink is None else sink[None, :, None])
    return np.einsum("thk,tkv->thv", weights, values[safe])


def dsa_attention(q, keys, values, q_idx, w_idx, k_idx, top_k: int, scale: float, sink_logits=None):
    """Problem 370. Token-level causal DSA: (out (T, H, Dv), idx (T, top_k))."""
    q = _finite_real(q, "q", ndim=3)
    keys = _finite_real(keys, "keys", ndim=2)
    require(keys.shape[0] == q.shape[0], "keys", f"{q.shape[0]} rows (T == S)", keys.shape[0])
    scores = indexer_scores(q_idx, w_idx, k_idx)
    T = q.shape[0]
    visible = np.arange(T)[None, :] <= np.arange(T)[:, None]
    idx = topk_select(scores, top_k, visible)
    return sparse_mqa_attention(q, keys, values, idx, scale, sink_logits), idx


# --- problem 371: the CSA and HCA compressors -------------------------------------------------

def _pool_weights(logits):
    """Per-channel softmax over the token axis (axis -2) of (..., tokens, c)."""
    top = logits.max(axis=-2, keepdims=True)
    e = np.exp(logits - top)
    return e / e.sum(axis=-2, keepdims=True)


def _compress_inputs(H, ws, names, m):
    H = _finite_real(H, "H", ndim=2)
    d = H.shape[1]
    m = integer(m, "m", low=1)
    mats = [_finite_real(w, name, shape=(d, None)) for w, name in zip(ws, names)]
    c = mats[0].shape[1]
    for w, name in zip(mats, names):
        require(w.shape == (d, c), name, f"of shape ({d}, {c})", f"shape {w.shape}")
    return H, mats, m, c


def csa_compress(H, W_aKV, W_bKV, W_aZ, W_bZ, B_a, B_b, m: int) -> np.ndarray:
    """Problem 371. Entry i pools block i (a-series) and block i - 1 (b-series) with one softmax
    over the 2m tokens per channel; (n // m, c)."""
    H, (Wa, Wb, WaZ, WbZ), m, c = _compress_inputs(H, (W_aKV, W_bKV, W_aZ, W_bZ),
                                                  ("W_aKV", "W_bKV", "W_aZ", "W_bZ"), m)
    B_a = _finite_real(B_a, "B_a", shape=(m, c))
    B_b = _finite_real(B_b, "B_b", shape=(m, c))
    N = H.shape[0] // m
    Ca, Cb, Za, Zb = (H[:N * m] @ W for W in (Wa, Wb, WaZ, WbZ))
    out = np.empty((N, c))
    for i in range(N):
        a = slice(m * i, m * (i + 1))
        if i == 0:
            logits, vals = Za[a] + B_a, Ca[a]
        else:
            b = slice(m * (i - 1), m * i)
            logits, vals = np.vstack([Za[a] + B_a, Zb[b] + B_b]), np.vstack([Ca[a], Cb[b]])
        out[i] = (_pool_weights(logits) * vals).sum(axis=0)
    return out


def hca_compress(H, W_KV, W_Z, B, m: int) -> np.ndarray:
    """Problem 371. Entry i pools block i with a per-channel softmax gate; (n // m, c)."""
    H, (Wkv, Wz), m, c = _compress_inputs(H, (W_KV, W_Z), ("W_KV", "W_Z"), m)
    B = _finite_real(B, "B", shape=(m, c))
    N = H.shape[0] // m
    C = (H[:N * m] @ Wkv).reshape(N, m, c)
    Z = (H[:N * m] @ Wz).reshape(N, m, c) + B
    return (_pool_weights(Z) * C).sum(axis=1)


def compressed_visibility(T: int, n_entries: int, m: int) -> np.ndarray:
    """Problem 371. mask[t, i] = (i + 1) m <= t + 1; (T, n_entries) bool."""
    T = integer(T, "T", low=0)
    n_entries = integer(n_entries, "n_entries", low=0)
    m = integer(m, "m", low=1)
    return (np.arange(1, n_entries + 1)[None, :] * m) <= (np.arange(T)[:, None] + 1)


# --- problem 372: hybrid attention and the 1M-token bill --------------------------------------

def hybrid_core_attention(q, kv_win, kv_comp, m: int, n_win: int, scale: float, selected=None,
                          sink_logits=None) -> np.ndarray:
    """Problem 372. One softmax (with sink) per query over its window entries and its compressed
    entries (all visible ones, or the selected ones); every entry is key and value; (T, H, c)."""
    q = _finite_real(q, "q", ndim=3)
    T, H, c = q.shape
    kv_win = _finite_real(kv_win, "kv_win", shape=(T, c))
    kv_comp = _finite_real(kv_comp, "kv_comp", shape=(None, c))
    N = kv_comp.shape[0]
    m = integer(m, "m", low=1)
    n_win = integer(n_win, "n_win", low=0)
    scale = real(scale, "scale")
    require(scale > 0, "scale", "> 0", scale)
    sink = None if sink_logits is None else _finite_real(sink_logits, "sink_logits", shape=(H,))
    visible = compressed_visibility(T, N, m)
    if selected is None:
        comp_mask = visible
    else:
        sel = _check_idx(selected, T, N, "selected")
        comp_mask = np.zeros((T, N), dtype=bool)
        for t, row in enumerate(sel):
            chosen = row[row >= 0]
            require(bool(np.all(visible[t, chosen])), "selected", f"entries visible to query {t}", chosen.tolist())
            comp_mask[t, chosen] = True
    s, t = np.arange(T)[None, :], np.arange(T)[:, None]
    win_mask = (s <= t) & (s > t - n_win)
    entries = np.vstack([kv_win, kv_comp])                          # (T + N, c)
    mask = np.hstack([win_mask, comp_mask])[:, None, :]            # (T, 1, T + N)
    logits = scale * np.einsum("thc,sc->ths", q, entries)
    weights = _softmax_with_sink(logits, mask, None if sink is None else sink[None, :, None])
    return np.einsum("ths,sc->thc", weights, entries)


def csa_attention(q, kv_win, kv_comp, q_idx, w_idx, k_idx_comp, m: int, top_k: int, n_win: int, scale: float,
                  sink_logits=None):
    """Problem 372. Indexer over the compressed entries, top-k among the visible ones, hybrid attention."""
    scores = indexer_scores(q_idx, w_idx, k_idx_comp)
    T, N = scores.shape
    selected = topk_select(scores, top_k, compressed_visibility(T, N, m))
    return hybrid_core_attention(q, kv_win, kv_comp, m, n_win, scale, selected, sink_logits), selected


LAYER_TYPES = ("mla_dsa", "csa", "hca", "swa")
CONFIG_KEYS = ("layers", "n_heads", "d_qk", "d_v", "top_k", "m", "m_hca", "n_win", "idx_heads", "idx_dim",
               "bytes_entry", "bytes_idx", "active_params", "w_param", "w_attn", "w_idx")


def published_configs() -> dict[str, dict]:
    """Problem 372. V3.2, V4-Flash and V4-Pro as the accounting needs them (spec section 2.1)."""
    interleaved = lambda last: ["csa" if i % 2 == 0 else "hca" for i in range(2, last + 1)]  # noqa: E731
    v4 = dict(d_qk=512, d_v=512, m=4, m_hca=128, n_win=128, idx_heads=64, idx_dim=128, bytes_entry=584,
              bytes_idx=68, w_param=1, w_attn=2, w_idx=0.5)
    return {
        "V3.2": dict(layers=["mla_dsa"] * 61, n_heads=128, d_qk=576, d_v=512, top_k=2048, m=1, m_hca=1, n_win=0,
                     idx_heads=64, idx_dim=128, bytes_entry=656, bytes_idx=132, active_params=37e9,
                     w_param=1, w_attn=2, w_idx=1),
        "V4-Flash": dict(layers=["swa", "swa"] + interleaved(42), n_heads=64, top_k=512, active_params=13e9, **v4),
        "V4-Pro": dict(layers=["hca", "hca"] + interleaved(60), n_heads=128, top_k=1024, active_params=49e9, **v4),
    }


def _config(cfg) -> dict:
    if not isinstance(cfg, dict):
        raise TypeError(f"cfg must be a dict, got {type(cfg).__name__}")
    missing = [k for k in CONFIG_KEYS if k not in cfg]
    require(not missing, "cfg", f"a dict with the keys {', '.join(CONFIG_KEYS)}", f"missing {missing}")
    layers = cfg["layers"]
    if isinstance(layers, str) or not isinstance(layers, (list, tuple)) or not layers:
        raise TypeError("cfg['layers'] must be a non-empty list of layer types")
    for layer in layers:
        require(layer in LAYER_TYPES, "cfg['layers']", f"made of {', '.join(LAYER_TYPES)}", layer)
    return cfg


def kv_cache_bytes(cfg: dict, n_tokens: int):
    """Problem 372. KV-cache bytes of one sequence after n_tokens tokens (all layers)."""
    cfg = _config(cfg)
    n = integer(n_tokens, "n_tokens", low=0)
    win = min(cfg["n_win"], n)
    per_type = {"mla_dsa": n * (cfg["bytes_entry"] + cfg["bytes_idx"]),
                "csa": n // cfg["m"] * (cfg["bytes_entry"] + cfg["bytes_idx"]) + win * cfg["bytes_entry"],
                "hca": n // cfg["m_hca"] * cfg["bytes_entry"] + win * cfg["bytes_entry"],
                "swa": win * cfg["bytes_entry"]}
    return sum(per_type[layer] for layer in cfg["layers"])


def decode_flops(cfg: dict, n_ctx: int) -> float:
    """Problem 372. FP8-equivalent FLOPs of decoding one token that sees n_ctx tokens."""
    cfg = _config(cfg)
    n = integer(n_ctx, "n_ctx", low=1)
    win = min(cfg["n_win"], n)
    k_attn = {"mla_dsa": min(cfg["top_k"], n), "csa": min(cfg["top_k"], n // cfg["m"]) + win,
              "hca": n // cfg["m_hca"] + win, "swa": win}
    k_idx = {"mla_dsa": n, "csa": n // cfg["m"], "hca": 0, "swa": 0}
    per_key_attn = cfg["w_attn"] * cfg["n_heads"] * 2 * (cfg["d_qk"] + cfg["d_v"])
    per_key_idx = cfg["w_idx"] * 2 * cfg["idx_heads"] * cfg["idx_dim"]
    total = cfg["w_param"] * 2 * cfg["active_params"]
    for layer in cfg["layers"]:
        total += per_key_attn * k_attn[layer] + per_key_idx * k_idx[layer]
    return float(total)


def efficiency_vs_v32(n_ctx: int = 2 ** 20) -> dict[str, dict[str, float]]:
    """Problem 372. KV-cache and decode-FLOPs ratios of V4-Pro and V4-Flash against V3.2 at n_ctx."""
    cfgs = published_configs()
    base = cfgs["V3.2"]
    return {name: {"kv": kv_cache_bytes(cfgs[name], n_ctx) / kv_cache_bytes(base, n_ctx),
                   "flops": decode_flops(cfgs[name], n_ctx) / decode_flops(base, n_ctx)}
            for name in ("V4-Pro", "V4-Flash")}

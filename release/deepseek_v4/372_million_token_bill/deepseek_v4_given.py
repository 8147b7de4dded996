"""What problem 372 is given from the DeepSeek V4 chapter.

Problems build on each other: once an earlier problem is done, later ones may rely on it
without trusting your own version. This module holds the reference answers that
problem 372 uses, and nothing more:

* ``compressed_visibility``: your answer to problem 371
* ``csa_compress``: your answer to problem 371
* ``hca_compress``: your answer to problem 371
* ``indexer_scores``: your answer to problem 370
* ``sparse_mqa_attention``: your answer to problem 370
* ``topk_select``: your answer to problem 370
"""
from __future__ import annotations

import numpy as np
from mlpapers.arguments import generator, int_array, integer, real, real_array, require


__all__ = ["compressed_visibility", "csa_compress", "hca_compress", "indexer_scores", "sparse_mqa_attention", "topk_select"]


def _finite_real(x, name: str, **kw) -> np.ndarray:
    arr = np.asarray(x)
    if arr.dtype.kind not in "iuf":
        raise TypeError(f"{name} must hold real numbers, got dtype {arr.dtype}")
    return real_array(arr, name, **kw)


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

"""Scores divided by sqrt(d), the textbook and Gemma 3 habit: Gemma 4 uses scale 1 after QK-norm."""
import numpy as np

from gemma4_given import apply_rope, rms_norm
from mlpapers.arguments import int_array, integer, real, real_array, require


def attention_core(q, k, v, q_positions, k_positions, sliding_window=None):
    """Grouped-query softmax attention at scale 1 with a causal or sliding-window mask, (3)-(5).

    Args:
        q: (T_q, H, d).  k, v: (T_k, H_kv, d), H a multiple of H_kv.
        q_positions: (T_q,) integers.  k_positions: (T_k,) integers.
        sliding_window: None (causal) or W >= 1: key j is visible to query i iff
            k_positions[j] <= q_positions[i] and q_positions[i] - k_positions[j] < W.

    Returns:
        (T_q, H*d) float64: row i is [o_i0 | ... | o_i,H-1], query head h reading KV head h // (H // H_kv).

    Raises:
        ValueError: shapes disagree, sliding_window < 1, or a query sees no key.
        TypeError: non-numeric arrays, non-integer positions or window.
    """
    q = real_array(q, "q", ndim=3)
    k = real_array(k, "k", ndim=3)
    v = real_array(v, "v", shape=k.shape)
    Tq, H, d = q.shape
    Tk, Hkv, _ = k.shape
    require(k.shape[2] == d, "k", f"of head size {d} (as q)", f"shape {k.shape}")
    require(Hkv >= 1 and H % Hkv == 0, "q", f"a number of heads that is a multiple of k's {Hkv}", H)
    q_positions = int_array(q_positions, "q_positions", shape=(Tq,))
    k_positions = int_array(k_positions, "k_positions", shape=(Tk,))
    W = None if sliding_window is None else integer(sliding_window, "sliding_window", low=1)
    # every query needs a key at or before its position (and inside the window): else its softmax is empty
    keys = np.sort(k_positions)
    at_or_before = np.searchsorted(keys, q_positions, side="right")
    gap = q_positions - keys[np.maximum(at_or_before - 1, 0)] if Tk else np.zeros(Tq, dtype=np.int64)
    require(bool(np.all(at_or_before > 0)) and (W is None or bool(np.all(gap < W))), "q_positions",
            "such that every query sees at least one key")
    group = H // Hkv
    kv_of = np.arange(H) // group                            # query head h reads KV head h // (H / H_kv)
    scores = np.einsum("ihd,jhd->hij", q, k[:, kv_of]) / np.sqrt(d)   # the mistake: 1/sqrt(d)
    visible = k_positions[None, :] <= q_positions[:, None]   # (Tq, Tk), mask (4)
    if W is not None:
        visible &= q_positions[:, None] - k_positions[None, :] < W
    scores = np.where(visible[None], scores, -np.inf)
    scores -= scores.max(axis=-1, keepdims=True)             # every row has a visible key: max is finite
    weights = np.exp(scores)
    weights /= weights.sum(axis=-1, keepdims=True)
    out = np.einsum("hij,jhd->ihd", weights, v[:, kv_of])    # (Tq, H, d)
    return out.reshape(Tq, H * d)

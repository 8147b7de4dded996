"""Two separate softmaxes: the window branch and the compressed branch are normalised each on its own
and their outputs added, instead of one joint softmax (with one sink) over the union of the key sets."""
import numpy as np

from mlpapers.arguments import int_array, integer, real, real_array, require


def hybrid_core_attention(q, kv_win, kv_comp, m, n_win, scale, selected=None, sink_logits=None):
    q = real_array(q, "q", ndim=3)
    T, H, c = q.shape
    kv_win = real_array(kv_win, "kv_win", shape=(T, c))
    kv_comp = real_array(kv_comp, "kv_comp", shape=(None, c))
    N = kv_comp.shape[0]
    m = integer(m, "m", low=1)
    n_win = integer(n_win, "n_win", low=0)
    scale = real(scale, "scale")
    require(scale > 0, "scale", "> 0", scale)
    if sink_logits is not None:
        sink_logits = real_array(sink_logits, "sink_logits", shape=(H,))
    if selected is not None:
        selected = int_array(selected, "selected", ndim=2, low=-1, high=N - 1)
        require(selected.shape[0] == T, "selected", f"{T} rows, one per query", f"shape {selected.shape}")
    t = np.arange(T)[:, None]
    win = t - np.arange(min(n_win, T))[None, :]
    win = np.where(win >= 0, win, -1)
    if selected is None:
        i = np.arange(N)[None, :]
        comp = np.where(m * (i + 1) <= t + 1, i, -1)
    else:
        comp = selected
    empty = np.full((T, 1), -1)
    out_win = sparse_mqa_attention(q, kv_win, kv_win, np.hstack([win, empty]), scale, sink_logits)
    if N == 0:
        return out_win
    out_comp = sparse_mqa_attention(q, kv_comp, kv_comp, np.hstack([comp, empty]), scale, sink_logits)
    return out_win + out_comp

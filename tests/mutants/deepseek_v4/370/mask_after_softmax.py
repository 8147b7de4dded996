"""Dense attention, masked after the softmax: the softmax runs over ALL S keys and the weights of the
unselected keys are then zeroed, without renormalising over the selected ones."""
import numpy as np

from mlpapers.arguments import real, real_array, require


def sparse_mqa_attention(q, keys, values, idx, scale, sink_logits=None):
    q = real_array(q, "q", ndim=3)
    T, H, D = q.shape
    keys = real_array(keys, "keys", shape=(None, D))
    S = keys.shape[0]
    values = real_array(values, "values", shape=(S, None))
    idx = check_selection(idx, T, S)
    scale = real(scale, "scale")
    require(scale > 0, "scale", "> 0", scale)
    if sink_logits is not None:
        sink_logits = real_array(sink_logits, "sink_logits", shape=(H,))
    z = scale * np.einsum("thd,sd->ths", q, keys)               # (T, H, S): every key
    ref = z.max(axis=-1, keepdims=True)
    if sink_logits is not None:
        ref = np.maximum(ref, sink_logits[None, :, None])
    e = np.exp(z - ref)
    denom = e.sum(axis=-1, keepdims=True)
    if sink_logits is not None:
        denom = denom + np.exp(sink_logits[None, :, None] - ref)
    p = e / denom
    mask = np.zeros((T, S), dtype=bool)
    for t in range(T):
        mask[t, idx[t][idx[t] >= 0]] = True
    p = np.where(mask[:, None, :], p, 0.0)                      # wrong: masked after the softmax
    return np.einsum("ths,sv->thv", p, values)

"""Raw sink logit in the denominator: sum_s exp(z_s) + z' instead of sum_s exp(z_s) + exp(z')."""
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
    used = idx >= 0
    safe = np.where(used, idx, 0)
    z = scale * np.einsum("thd,tkd->thk", q, keys[safe])
    e = np.where(used[:, None, :], np.exp(z), 0.0)
    denom = e.sum(axis=-1)
    if sink_logits is not None:
        denom = denom + sink_logits[None, :]                    # wrong: the logit, not its exponential
    p = np.divide(e, denom[..., None], out=np.zeros_like(e), where=denom[..., None] != 0)
    return np.einsum("thk,tkv->thv", p, values[safe])

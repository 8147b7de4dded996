"""Shared layers recompute K/V from their own input with the producer's weights instead of reading
the producer's cache."""
import numpy as np

from mlpapers.arguments import integer, real_array, require
from mlpapers.gemma4.configs import SLIDING


def shared_kv_decode(x, layers, layer_types, num_kv_shared_layers, sliding_window, eps=1e-6):
    x = real_array(x, "x", ndim=2)
    require(len(layers) == len(layer_types), "layers", f"one dict per layer type ({len(layer_types)})", len(layers))
    W = integer(sliding_window, "sliding_window", low=1)
    src = kv_sharing_map(layer_types, num_kv_shared_layers)
    caches = {i: [] for i in range(len(layers))}
    outputs = np.empty_like(x)
    for t in range(x.shape[0]):
        h = x[t:t + 1]
        pos = np.array([t])
        for i, (layer, kind) in enumerate(zip(layers, layer_types)):
            a = rms_norm(h, layer["pre_norm"], eps)
            producer = dict(layers[src[i]], w_q=layer["w_q"], q_norm=layer["q_norm"], n_heads=layer["n_heads"])
            q, k, v = layer_qkv(a, producer, pos, eps)
            caches[i].append((t, k[0], v[0]))
            if kind == SLIDING:
                del caches[i][:-W]
            cache = caches[i]
            keys = np.stack([entry[1] for entry in cache])
            values = np.stack([entry[2] for entry in cache])
            k_pos = np.array([entry[0] for entry in cache])
            out = attention_core(q, keys, values, pos, k_pos, W if kind == SLIDING else None)
            h = h + rms_norm(out @ layer["w_o"], layer["post_norm"], eps)
        outputs[t] = h[0]
    lengths = [len(caches[i]) if src[i] == i else 0 for i in range(len(layers))]
    return outputs, lengths

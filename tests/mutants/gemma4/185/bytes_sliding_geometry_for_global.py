"""Uses the sliding layers' geometry (head_dim 256, num_key_value_heads) for the full layers too."""
from mlpapers.arguments import integer
from mlpapers.gemma4.configs import SLIDING


def kv_cache_bytes(config, seq_len, bytes_per_elem=2, batch=1, share_kv=True, use_sliding_window=True,
                   global_kv_tensors=2):
    if not isinstance(config, dict):
        raise TypeError(f"config must be a dict, got {type(config).__name__}")
    T = integer(seq_len, "seq_len", low=1)
    b = integer(bytes_per_elem, "bytes_per_elem", low=1)
    B = integer(batch, "batch", low=1)
    kappa = integer(global_kv_tensors, "global_kv_tensors", low=1, high=2)
    W = integer(config["sliding_window"], "config['sliding_window']", low=1)
    types = config["layer_types"]
    src = kv_sharing_map(types, config["num_kv_shared_layers"] if share_kv else 0)
    per_token = 2 * config["num_key_value_heads"] * config["head_dim"]
    sliding_tokens = min(T, W) if use_sliding_window else T
    numbers = 0
    for i, t in enumerate(types):
        if src[i] != i:
            continue
        numbers += per_token * (sliding_tokens if t == SLIDING else T)
    return b * B * numbers

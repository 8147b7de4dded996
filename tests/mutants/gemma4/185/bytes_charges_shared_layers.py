"""Charges a cache to shared layers: every layer is counted as a cache owner, sharing or not."""
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
    sliding_per_token = 2 * config["num_key_value_heads"] * config["head_dim"]
    if config.get("attention_k_eq_v", False):        # K = V full layers: kappa tensors, their own KV heads
        heads = config.get("num_global_key_value_heads") or config["num_key_value_heads"]
        full_per_token = kappa * heads * config["global_head_dim"]
    else:
        full_per_token = 2 * config["num_key_value_heads"] * config["global_head_dim"]
    sliding_tokens = min(T, W) if use_sliding_window else T
    numbers = 0
    for t in config["layer_types"]:
        numbers += sliding_per_token * sliding_tokens if t == SLIDING else full_per_token * T
    return b * B * numbers

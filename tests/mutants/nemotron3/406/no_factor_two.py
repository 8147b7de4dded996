"""Forgetting the factor 2 for K and V: only the keys are counted, half the KV cache."""


def kv_cache_bytes(cfg, seq_len, batch=1, bytes_per_elem=2.0):
    pattern = cfg["hybrid_override_pattern"]
    n_attention = pattern.count("*")
    if n_attention == 0:
        return 0.0
    return float(n_attention * cfg["num_key_value_heads"] * cfg["head_dim"] * seq_len * batch * bytes_per_elem)

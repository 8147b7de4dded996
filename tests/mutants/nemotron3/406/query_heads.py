"""Using num_attention_heads instead of num_key_value_heads: ignores GQA, 16 times too big for Nemotron 3."""


def kv_cache_bytes(cfg, seq_len, batch=1, bytes_per_elem=2.0):
    pattern = cfg["hybrid_override_pattern"]
    n_attention = pattern.count("*")
    if n_attention == 0:
        return 0.0
    n_heads = cfg.get("num_attention_heads", cfg["num_key_value_heads"])
    return float(n_attention * 2 * n_heads * cfg["head_dim"] * seq_len * batch * bytes_per_elem)

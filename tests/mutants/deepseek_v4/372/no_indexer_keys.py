"""Forgets that CSA and DSA layers also cache an indexer key per (compressed) entry: only the attention
entries are counted."""
from mlpapers.arguments import integer


def kv_cache_bytes(cfg, n_tokens):
    cfg = check_config(cfg)
    n = integer(n_tokens, "n_tokens", low=0)
    win = min(cfg["n_win"], n)
    entry = cfg["bytes_entry"]
    total = 0
    for layer in cfg["layers"]:
        if layer == "mla_dsa":
            total += n * entry
        elif layer == "csa":
            total += n // cfg["m"] * entry + win * entry
        elif layer == "hca":
            total += n // cfg["m_hca"] * entry + win * entry
        else:
            total += win * entry
    return total

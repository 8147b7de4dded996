"""Uses all-BF16 bytes (2 bytes per dimension of the entry and of the indexer key) instead of the packed
bytes of the configuration: the serving-engine figure (11.5 % / 8.0 %), not the paper's."""
from mlpapers.arguments import integer


def kv_cache_bytes(cfg, n_tokens):
    cfg = check_config(cfg)
    n = integer(n_tokens, "n_tokens", low=0)
    win = min(cfg["n_win"], n)
    entry, key = 2 * cfg["d_qk"], 2 * cfg["idx_dim"]
    total = 0
    for layer in cfg["layers"]:
        if layer == "mla_dsa":
            total += n * (entry + key)
        elif layer == "csa":
            total += n // cfg["m"] * (entry + key) + win * entry
        elif layer == "hca":
            total += n // cfg["m_hca"] * entry + win * entry
        else:
            total += win * entry
    return total

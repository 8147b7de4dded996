"""Gives V4-Pro Flash's two leading sliding-window layers: the first two layers of every compressed
(V4) configuration are counted as SWA layers, whatever cfg["layers"] says (Pro starts with two HCA layers)."""
from mlpapers.arguments import integer


def kv_cache_bytes(cfg, n_tokens):
    cfg = check_config(cfg)
    n = integer(n_tokens, "n_tokens", low=0)
    win = min(cfg["n_win"], n)
    entry, key = cfg["bytes_entry"], cfg["bytes_idx"]
    layers = list(cfg["layers"])
    if "mla_dsa" not in layers:                      # "every V4 model starts with two SWA layers"
        layers[:2] = ["swa", "swa"]
    total = 0
    for layer in layers:
        if layer == "mla_dsa":
            total += n * (entry + key)
        elif layer == "csa":
            total += n // cfg["m"] * (entry + key) + win * entry
        elif layer == "hca":
            total += n // cfg["m_hca"] * entry + win * entry
        else:
            total += win * entry
    return total

"""Drops the window keys from K_attn: CSA and HCA layers are charged only for their compressed entries,
as if the 128-token sliding-window branch cost no attention FLOPs."""
from mlpapers.arguments import integer


def decode_flops(cfg, n_ctx):
    cfg = check_config(cfg)
    n = integer(n_ctx, "n_ctx", low=1)
    win = min(cfg["n_win"], n)
    per_key_attn = cfg["w_attn"] * cfg["n_heads"] * 2 * (cfg["d_qk"] + cfg["d_v"])
    per_key_idx = cfg["w_idx"] * 2 * cfg["idx_heads"] * cfg["idx_dim"]
    total = cfg["w_param"] * 2 * cfg["active_params"]
    for layer in cfg["layers"]:
        if layer == "mla_dsa":
            k_attn, k_idx = min(cfg["top_k"], n), n
        elif layer == "csa":
            k_attn, k_idx = min(cfg["top_k"], n // cfg["m"]), n // cfg["m"]
        elif layer == "hca":
            k_attn, k_idx = n // cfg["m_hca"], 0
        else:
            k_attn, k_idx = win, 0
        total += per_key_attn * k_attn + per_key_idx * k_idx
    return float(total)

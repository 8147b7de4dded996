"""Storing the full conv_kernel window (K inputs per channel) instead of the K - 1 a decoder needs."""


def decode_cache_bytes(cfg, seq_len, batch=1, kv_bytes=2.0, ssm_bytes=4.0, conv_bytes=2.0):
    pattern = cfg["hybrid_override_pattern"]
    kv = 0.0
    if pattern.count("*"):
        kv = float(pattern.count("*") * 2 * cfg["num_key_value_heads"] * cfg["head_dim"] * seq_len * batch * kv_bytes)
    ssm = conv = 0.0
    n_mamba = pattern.count("M")
    if n_mamba:
        H, P, N = cfg["mamba_num_heads"], cfg["mamba_head_dim"], cfg["ssm_state_size"]
        G, K = cfg["n_groups"], cfg["conv_kernel"]
        ssm = float(n_mamba * batch * H * P * N * ssm_bytes)
        conv = float(n_mamba * batch * K * (H * P + 2 * G * N) * conv_bytes)
    return {"kv": kv, "ssm": ssm, "conv": conv, "total": kv + ssm + conv}

"""Active counts the input embedding table too (the 3.6B "with embeddings" figure, not 3.2B)."""


def model_params(cfg):
    f = config_fields(cfg)
    n = f["counts"]
    d, V = f["hidden_size"], f["vocab_size"]
    total = active = 0
    if n["mamba"]:
        H, P, Ns = f["mamba_num_heads"], f["mamba_head_dim"], f["ssm_state_size"]
        G, Kc = f["n_groups"], f["conv_kernel"]
        channels = H * P + 2 * G * Ns
        per = (d * (2 * H * P + 2 * G * Ns + H) + channels * Kc + (channels if f["use_conv_bias"] else 0)
               + 3 * H + H * P + H * P * d + d)
        total += n["mamba"] * per
        active += n["mamba"] * per
    if n["attention"]:
        nq, nkv, dh = f["num_attention_heads"], f["num_key_value_heads"], f["head_dim"]
        per = d * nq * dh + 2 * d * nkv * dh + nq * dh * d + d
        total += n["attention"] * per
        active += n["attention"] * per
    if n["moe"]:
        layer = moe_layer_params(d, f["moe_intermediate_size"], f["n_routed_experts"], f["num_experts_per_tok"],
                                 f["moe_latent_size"],
                                 f["n_shared_experts"] * f["moe_shared_expert_intermediate_size"])
        total += n["moe"] * (layer["total"] + d)
        active += n["moe"] * (layer["active"] + d)
    if n["mlp"]:
        per = 2 * d * f["intermediate_size"] + d
        total += n["mlp"] * per
        active += n["mlp"] * per
    embedding = 0 if f["tie_word_embeddings"] else V * d
    total += embedding + V * d + d
    active += embedding + V * d + d
    return {"total": total, "active": active}

"""Experts counted at width d even when there is a latent size (projections counted, width not reduced)."""


def moe_layer_params(d_model, d_ff, n_experts, top_k, latent_dim=None, d_shared=0):
    per_expert = 2 * d_model * d_ff
    always = d_model * n_experts + 2 * d_model * d_shared + (0 if latent_dim is None else 2 * d_model * latent_dim)
    return {"total": n_experts * per_expert + always, "active": top_k * per_expert + always}

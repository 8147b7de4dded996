"""Forgetting the two latent projections (2 * d * l): experts at width l, but no W_down / W_up counted."""


def moe_layer_params(d_model, d_ff, n_experts, top_k, latent_dim=None, d_shared=0):
    de = d_model if latent_dim is None else latent_dim
    per_expert = 2 * de * d_ff
    always = d_model * n_experts + 2 * d_model * d_shared
    return {"total": n_experts * per_expert + always, "active": top_k * per_expert + always}

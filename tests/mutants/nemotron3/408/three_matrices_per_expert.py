"""SwiGLU habit: three matrices per routed expert (3 * d_e * m), though Nemotron experts are non-gated."""


def moe_layer_params(d_model, d_ff, n_experts, top_k, latent_dim=None, d_shared=0):
    de = d_model if latent_dim is None else latent_dim
    per_expert = 3 * de * d_ff
    always = d_model * n_experts + 2 * d_model * d_shared + (0 if latent_dim is None else 2 * d_model * latent_dim)
    return {"total": n_experts * per_expert + always, "active": top_k * per_expert + always}

"""Assuming every expert's weights are read each step, even when one token touches only K of them."""


def moe_roofline(batch_tokens, d_model, d_ff, n_experts, top_k, latent_dim=None, *, peak_flops, mem_bw,
                 w_bytes=2.0, a_bytes=2.0):
    B, d, m, N, K = batch_tokens, d_model, d_ff, n_experts, top_k
    de = d if latent_dim is None else latent_dim
    flops = 4.0 * B * K * de * m
    nbytes = w_bytes * N * 2 * de * m + a_bytes * 2 * B * K * (de + m)
    if latent_dim is not None:
        flops += 4.0 * B * d * latent_dim
        nbytes += w_bytes * 2 * d * latent_dim + a_bytes * 2 * B * (d + latent_dim)
    t_compute, t_memory = flops / peak_flops, nbytes / mem_bw
    return {"flops": flops, "bytes": nbytes, "intensity": flops / nbytes, "ridge": peak_flops / mem_bw,
            "time_s": max(t_compute, t_memory), "bound": "memory" if t_memory >= t_compute else "compute"}

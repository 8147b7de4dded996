"""The correction bias registered as an nn.Parameter (it then gets a gradient and an optimiser step)."""
import torch
from torch import nn


class LatentMoE(nn.Module):
    def __init__(self, d_model, d_ff, n_experts, top_k, latent_dim=None, d_shared=0, routed_scaling_factor=1.0,
                 norm_topk_prob=True, *, device=None, dtype=None):
        super().__init__()
        d, m, N = int(d_model), int(d_ff), int(n_experts)
        self.top_k, self.routed_scaling_factor, self.norm_topk_prob = int(top_k), float(routed_scaling_factor), norm_topk_prob
        like = {"device": device, "dtype": dtype}
        d_e = d if latent_dim is None else int(latent_dim)
        self.router_weight = nn.Parameter(torch.empty(N, d, **like))
        self.e_score_correction_bias = nn.Parameter(torch.zeros(N, **like))   # mistake: a parameter, not a buffer
        self.experts_up = nn.Parameter(torch.empty(N, m, d_e, **like))
        self.experts_down = nn.Parameter(torch.empty(N, d_e, m, **like))
        self.fc1_latent = None if latent_dim is None else nn.Parameter(torch.empty(d_e, d, **like))
        self.fc2_latent = None if latent_dim is None else nn.Parameter(torch.empty(d, d_e, **like))
        self.shared_up = None if d_shared == 0 else nn.Parameter(torch.empty(int(d_shared), d, **like))
        self.shared_down = None if d_shared == 0 else nn.Parameter(torch.empty(d, int(d_shared), **like))
        self.reset_parameters()

    def reset_parameters(self, generator=None):
        with torch.no_grad():
            for name, p in self.named_parameters():
                if name != "e_score_correction_bias":
                    p.copy_(torch.randn(p.shape, generator=generator, dtype=torch.float64).to(p) * 0.02)

    def forward(self, x):
        names = ("router_weight", "e_score_correction_bias", "experts_up", "experts_down", "fc1_latent", "fc2_latent",
                 "shared_up", "shared_down")
        return latent_moe_forward(x, {k: getattr(self, k) for k in names}, self.top_k, self.routed_scaling_factor,
                                  self.norm_topk_prob)

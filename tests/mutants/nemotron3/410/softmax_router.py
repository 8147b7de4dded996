"""A softmax router (Mixtral style) instead of per-expert sigmoid scores."""
import torch


def latent_moe_forward(x, params, top_k, routed_scaling_factor=1.0, norm_topk_prob=True):
    if not isinstance(x, torch.Tensor):
        raise TypeError("x must be a torch.Tensor")
    if not isinstance(params, dict):
        raise TypeError("params must be a dict of tensors")
    router, bias = params["router_weight"], params["e_score_correction_bias"]
    up, down = params["experts_up"], params["experts_down"]
    N, d = router.shape
    if x.shape[-1] != d:
        raise ValueError("x must have shape (..., d)")
    K, rho = int(top_k), float(routed_scaling_factor)
    fc1, fc2 = params.get("fc1_latent"), params.get("fc2_latent")
    shared_up, shared_down = params.get("shared_up"), params.get("shared_down")
    tokens = x.reshape(-1, d)
    rtype = torch.promote_types(x.dtype, torch.float32)
    z = tokens if fc1 is None else tokens @ fc1.T
    scores = torch.softmax(tokens.to(rtype) @ router.to(rtype).T, dim=-1)   # mistake: softmax over experts
    chosen = torch.topk(scores + bias.to(rtype), K, dim=-1).indices
    weights = scores.gather(1, chosen)
    if norm_topk_prob:
        weights = weights / (weights.sum(dim=-1, keepdim=True) + 1e-20)
    weights = (rho * weights).to(x.dtype)
    combined = torch.zeros_like(z)
    for expert in range(N):
        rows, slots = torch.where(chosen == expert)
        if rows.numel() == 0:
            continue
        out = torch.relu(z[rows] @ up[expert].T).square() @ down[expert].T
        combined.index_add_(0, rows, out * weights[rows, slots, None])
    y = combined if fc2 is None else combined @ fc2.T
    if shared_up is not None:
        y = y + torch.relu(tokens @ shared_up.T).square() @ shared_down.T
    return y.reshape(x.shape)

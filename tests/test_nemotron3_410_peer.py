"""Peer checks for problem 410: the chapter's latent_moe_forward against two independent implementations.

1. A straightforward dense loop: every expert on every token, masked by the top-k of (1), in float64.
2. Hugging Face ``transformers``' ``NemotronHMoE`` (models/nemotron_h, a test-only dependency) with a small
   ``NemotronHConfig`` (with and without ``moe_latent_size``) and the same tensors copied in under the HF
   names. HF always runs its router in float32 and accumulates the experts in float32, so float64 inputs
   agree to float32 precision; float32 inputs agree to a few float32 roundings.

Measured (transformers 5.23.0, torch 2.13 CPU, 128 tokens, d = 16, N = 12, top-3, rho = 2.5, with and without
l = 4, normalised or not): dense loop vs given, float64: max |diff| 3.6e-15. NemotronHMoE vs given: float32
bit-identical (max |diff| 0.0, the same operations in the same order); float64 max |diff| 5.1e-6 on outputs up
to 73 in size (about 1e-7 relative: HF's float32 router and float32 accumulation). The same experts are
chosen for every token. ``test_report_largest_differences`` prints the table.
"""
import pytest
import torch

from mlpapers.figures import reference

given = reference("nemotron3")
transformers = pytest.importorskip("transformers")
from transformers.models.nemotron_h.configuration_nemotron_h import NemotronHConfig  # noqa: E402
from transformers.models.nemotron_h.modeling_nemotron_h import NemotronHMoE  # noqa: E402

D, N, K, M, M_SHARED, RHO = 16, 12, 3, 8, 24, 2.5


def random_params(latent, shared=M_SHARED, seed=0, bias_scale=0.05):
    g = torch.Generator().manual_seed(seed)
    r = lambda *s: torch.randn(*s, generator=g, dtype=torch.float64)  # noqa: E731
    de = D if latent is None else latent
    p = {"router_weight": r(N, D) / D ** 0.5, "e_score_correction_bias": bias_scale * r(N),
         "experts_up": r(N, M, de) / de ** 0.5, "experts_down": r(N, de, M) / M ** 0.5}
    if latent is not None:
        p.update(fc1_latent=r(latent, D) / D ** 0.5, fc2_latent=r(D, latent) / latent ** 0.5)
    if shared:
        p.update(shared_up=r(shared, D) / D ** 0.5, shared_down=r(D, shared) / shared ** 0.5)
    return p


def dense_loop(x, p, k, rho, norm):
    """Every expert on every token; the top-k mask and weights of (1)-(2); float64."""
    xs = x.reshape(-1, x.shape[-1]).double()
    s = torch.sigmoid(xs @ p["router_weight"].double().T)
    order = torch.argsort(-(s + p["e_score_correction_bias"].double()), dim=-1, stable=True)[:, :k]
    mask = torch.zeros_like(s).scatter(1, order, 1.0)
    w = s * mask
    if norm:
        w = w / (w.sum(dim=-1, keepdim=True) + 1e-20)
    w = rho * w
    z = xs if p.get("fc1_latent") is None else xs @ p["fc1_latent"].double().T
    acc = torch.zeros_like(z)
    for e in range(p["router_weight"].shape[0]):
        acc += w[:, e:e + 1] * (torch.relu(z @ p["experts_up"][e].double().T) ** 2 @ p["experts_down"][e].double().T)
    y = acc if p.get("fc2_latent") is None else acc @ p["fc2_latent"].double().T
    if p.get("shared_up") is not None:
        y = y + torch.relu(xs @ p["shared_up"].double().T) ** 2 @ p["shared_down"].double().T
    return y.reshape(x.shape)


def hf_block(p, latent, k, rho, norm, dtype):
    cfg = NemotronHConfig(hidden_size=D, n_routed_experts=N, num_experts_per_tok=k, moe_intermediate_size=M,
                          moe_shared_expert_intermediate_size=M_SHARED, moe_latent_size=latent,
                          routed_scaling_factor=rho, norm_topk_prob=norm, n_group=1, topk_group=1,
                          mlp_hidden_act="relu2", mlp_bias=False)
    cfg._experts_implementation = "eager"
    block = NemotronHMoE(cfg).to(dtype)
    with torch.no_grad():
        block.gate.weight.copy_(p["router_weight"])
        block.gate.e_score_correction_bias.copy_(p["e_score_correction_bias"])
        block.experts.up_proj.copy_(p["experts_up"])
        block.experts.down_proj.copy_(p["experts_down"])
        if latent is not None:
            block.fc1_latent_proj.weight.copy_(p["fc1_latent"])
            block.fc2_latent_proj.weight.copy_(p["fc2_latent"])
        block.shared_experts.up_proj.weight.copy_(p["shared_up"])
        block.shared_experts.down_proj.weight.copy_(p["shared_down"])
    return block


CASES = [(None, True), (None, False), (4, True), (4, False)]


@pytest.mark.parametrize("latent, norm", CASES)
@pytest.mark.parametrize("shared", [0, M_SHARED])
def test_given_matches_a_dense_loop_over_experts(latent, norm, shared):
    p = random_params(latent, shared)
    x = torch.randn(2, 17, D, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    got = given.latent_moe_forward(x, p, K, RHO, norm)
    torch.testing.assert_close(got, dense_loop(x, p, K, RHO, norm), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("latent, norm", CASES)
def test_given_matches_transformers_nemotron_h_moe_in_float32(latent, norm):
    p = random_params(latent)
    x = torch.randn(2, 17, D, generator=torch.Generator().manual_seed(2), dtype=torch.float64)
    block = hf_block(p, latent, K, RHO, norm, torch.float32)
    with torch.no_grad():
        theirs = block(x.float())
    ours = given.latent_moe_forward(x.float(), {k: v.float() for k, v in p.items()}, K, RHO, norm)
    assert theirs.dtype == ours.dtype == torch.float32
    torch.testing.assert_close(ours, theirs, rtol=1e-5, atol=1e-5)
    # the same experts, chosen by HF's router
    _, _, hf_idx = block.gate(x.float())
    ours_idx = torch.topk(torch.sigmoid(x.reshape(-1, D).float() @ p["router_weight"].float().T)
                          + p["e_score_correction_bias"].float(), K).indices
    assert torch.equal(hf_idx.sort(dim=-1).values, ours_idx.sort(dim=-1).values)


@pytest.mark.parametrize("latent, norm", CASES)
def test_given_matches_transformers_in_float64_to_float32_precision(latent, norm):
    """HF casts the router to float32 and accumulates experts in its weights' dtype: agreement ~1e-7."""
    p = random_params(latent)
    x = torch.randn(2, 17, D, generator=torch.Generator().manual_seed(3), dtype=torch.float64)
    block = hf_block(p, latent, K, RHO, norm, torch.float64)
    with torch.no_grad():
        theirs = block(x)
    ours = given.latent_moe_forward(x, p, K, RHO, norm)
    torch.testing.assert_close(ours, theirs, rtol=1e-5, atol=1e-6)


def test_given_module_loads_the_transformers_state_dict():
    """The contract names map one to one onto HF's: copy HF's state dict into LatentMoE and compare."""
    p = random_params(4)
    block = hf_block(p, 4, K, RHO, True, torch.float32)
    names = {"gate.weight": "router_weight", "gate.e_score_correction_bias": "e_score_correction_bias",
             "experts.up_proj": "experts_up", "experts.down_proj": "experts_down",
             "fc1_latent_proj.weight": "fc1_latent", "fc2_latent_proj.weight": "fc2_latent",
             "shared_experts.up_proj.weight": "shared_up", "shared_experts.down_proj.weight": "shared_down"}
    hf_state = block.state_dict()
    assert set(hf_state) == set(names)
    module = given.LatentMoE(D, M, N, K, latent_dim=4, d_shared=M_SHARED, routed_scaling_factor=RHO)
    module.load_state_dict({names[k]: v for k, v in hf_state.items()})
    x = torch.randn(5, D, generator=torch.Generator().manual_seed(4))
    with torch.no_grad():
        torch.testing.assert_close(module(x), block(x), rtol=1e-5, atol=1e-5)
    assert "gate.e_score_correction_bias" in dict(block.named_buffers()) and "e_score_correction_bias" in dict(module.named_buffers())


def test_report_largest_differences(capsys):
    rows = []
    for latent, norm in CASES:
        p = random_params(latent)
        x = torch.randn(4, 32, D, generator=torch.Generator().manual_seed(5), dtype=torch.float64)
        ours64 = given.latent_moe_forward(x, p, K, RHO, norm)
        dense = (ours64 - dense_loop(x, p, K, RHO, norm)).abs().max().item()
        with torch.no_grad():
            hf32 = hf_block(p, latent, K, RHO, norm, torch.float32)(x.float())
            hf64 = hf_block(p, latent, K, RHO, norm, torch.float64)(x)
        ours32 = given.latent_moe_forward(x.float(), {k: v.float() for k, v in p.items()}, K, RHO, norm)
        rows.append((latent, norm, dense, (ours32 - hf32).abs().max().item(), (ours64 - hf64).abs().max().item(),
                     ours64.abs().max().item()))
    with capsys.disabled():
        print("\nlatent norm  |given-dense| f64   |given-HF| f32   |given-HF| f64   max|y|")
        for latent, norm, a, b, c, scale in rows:
            print(f"{str(latent):>6} {str(norm):>5}  {a:14.1e}   {b:14.1e}   {c:14.1e}   {scale:6.2f}")
    assert max(r[2] for r in rows) < 1e-12
    assert max(r[3] for r in rows) < 1e-5 and max(r[4] for r in rows) < 1e-5

"""The Gemma 4 chapter's reference answers against Hugging Face ``transformers``' Gemma 4 modules.

Instructor side only (``transformers`` is a test dependency). Tiny random configurations in float64;
HF computes RMSNorm and the RoPE angles in float32 internally, so agreement is to about 1e-7
relative, checked at 1e-5. The largest differences seen are printed (``pytest -s``).
"""

import numpy as np
import pytest
import torch

transformers = pytest.importorskip("transformers")  # declared in pyproject's dev extras; never absent in CI
from transformers.models.gemma4 import modeling_gemma4 as hf  # noqa: E402
from transformers.models.gemma4.configuration_gemma4 import Gemma4TextConfig  # noqa: E402

from mlpapers.gemma4.configs import config as published  # noqa: E402
from mlpapers.figures import reference

g = reference("gemma4")  # the instructor's given module, loaded by path

S, F = "sliding_attention", "full_attention"
TOL = 1e-5
LARGEST: dict[str, float] = {}


def compare(name: str, ours, theirs) -> None:
    theirs = theirs.detach().double().numpy() if isinstance(theirs, torch.Tensor) else np.asarray(theirs)
    ours = np.asarray(ours, dtype=np.float64)
    assert ours.shape == theirs.shape, (name, ours.shape, theirs.shape)
    diff = float(np.max(np.abs(ours - theirs))) if ours.size else 0.0
    scale = max(1.0, float(np.max(np.abs(theirs))) if theirs.size else 1.0)
    LARGEST[name] = max(LARGEST.get(name, 0.0), diff)
    print(f"{name}: largest difference {diff:.2e}")
    assert diff <= TOL * scale, f"{name}: ours and transformers' differ by {diff:.3e}"


def tiny_config(k_eq_v: bool = False, shared: int = 3) -> Gemma4TextConfig:
    cfg = Gemma4TextConfig(
        vocab_size=50, hidden_size=16, intermediate_size=32, num_hidden_layers=7, num_attention_heads=4,
        num_key_value_heads=2, head_dim=8, global_head_dim=16, num_global_key_value_heads=1 if k_eq_v else None,
        attention_k_eq_v=k_eq_v, layer_types=[S, S, F, S, F, S, F], sliding_window=3,
        num_kv_shared_layers=shared, hidden_size_per_layer_input=4, vocab_size_per_layer_input=50,
        rope_parameters={F: {"rope_type": "proportional", "rope_theta": 1e6, "partial_rotary_factor": 0.25},
                         S: {"rope_type": "default", "rope_theta": 1e4}},
        max_position_embeddings=64)
    cfg._attn_implementation = "eager"
    return cfg


def randomize(module: torch.nn.Module, seed: int) -> torch.nn.Module:
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in module.parameters():
            p.copy_(torch.randn(p.shape, generator=gen, dtype=p.dtype) * 0.5 + (1.0 if p.ndim == 1 else 0.0))
    return module.double().eval()


def mask(T: int, window: int | None) -> torch.Tensor:
    i, j = np.arange(T)[:, None], np.arange(T)[None, :]
    visible = (j <= i) & ((i - j < window) if window else True)
    return torch.tensor(np.where(visible, 0.0, -np.inf))[None, None]


def rope_tables(cfg, T: int, layer_type: str):
    rotary = hf.Gemma4TextRotaryEmbedding(cfg)
    x = torch.zeros(1, T, 1, dtype=torch.float64)
    cos, sin = rotary(x, torch.arange(T)[None], layer_type)
    return rotary, cos, sin


def test_rms_norm_matches_gemma4_rmsnorm():
    rng = np.random.default_rng(0)
    for shape, scaled in (((3, 5, 16), True), ((7, 8), False), ((1, 512), True)):
        x = rng.normal(0, 3, shape)
        norm = hf.Gemma4RMSNorm(shape[-1], eps=1e-6, with_scale=scaled).double()
        if scaled:
            with torch.no_grad():
                norm.weight.copy_(torch.tensor(rng.normal(1, 0.5, shape[-1])))
        weight = norm.weight.detach().numpy() if scaled else None
        compare("rms_norm", g.rms_norm(x, weight), norm(torch.tensor(x)))


def test_inverse_frequencies_match_default_and_proportional_rope():
    cfg = tiny_config()
    rotary = hf.Gemma4TextRotaryEmbedding(cfg)
    compare("rope_inv_freq (sliding, default)", g.rope_inv_freq(8, 1e4), rotary.sliding_attention_inv_freq)
    compare("rope_inv_freq (full, proportional)", g.rope_inv_freq(16, 1e6, 0.25, "proportional"),
            rotary.full_attention_inv_freq)
    # The published global layer: d = 512, theta = 1e6, p = 0.25 -> 64 of 256 frequencies rotate.
    big = Gemma4TextConfig(num_hidden_layers=6, head_dim=256, global_head_dim=512,
                           rope_parameters=tiny_config().rope_parameters | {
                               F: {"rope_type": "proportional", "rope_theta": 1e6, "partial_rotary_factor": 0.25}})
    theirs = hf.Gemma4TextRotaryEmbedding(big).full_attention_inv_freq
    compare("rope_inv_freq (published global layer)", g.rope_inv_freq(512, 1e6, 0.25, "proportional"), theirs)
    assert int((theirs > 0).sum()) == 64


def test_apply_rope_matches_apply_rotary_pos_emb():
    rng = np.random.default_rng(1)
    cfg = tiny_config()
    for layer_type, d in ((S, 8), (F, 16)):
        rotary, cos, sin = rope_tables(cfg, 11, layer_type)
        x = rng.normal(size=(11, 3, d))
        theirs = hf.apply_rotary_pos_emb(torch.tensor(x)[None], cos, sin, unsqueeze_dim=2)[0]
        inv = getattr(rotary, f"{layer_type}_inv_freq").double().numpy()
        compare(f"apply_rope ({layer_type})", g.apply_rope(x, np.arange(11), inv), theirs)


@pytest.mark.parametrize("k_eq_v, layer", [(False, 0), (False, 2), (True, 2), (True, 1)])
def test_attention_matches_gemma4_text_attention(k_eq_v, layer):
    cfg = tiny_config(k_eq_v=k_eq_v)
    attn = randomize(hf.Gemma4TextAttention(cfg, layer), seed=10 + layer)
    layer_type = cfg.layer_types[layer]
    T = 9
    rotary, cos, sin = rope_tables(cfg, T, layer_type)
    x = np.random.default_rng(layer).normal(size=(T, cfg.hidden_size))
    window = cfg.sliding_window if layer_type == S else None
    theirs, _ = attn(torch.tensor(x)[None], (cos, sin), mask(T, window), shared_kv_states={})
    H, d = cfg.num_attention_heads, attn.head_dim
    Hkv = attn.k_proj.weight.shape[0] // d
    inv = getattr(rotary, f"{layer_type}_inv_freq").double().numpy()
    w = lambda lin: lin.weight.detach().numpy().T  # noqa: E731  (nn.Linear stores (out, in))
    ours = g.gemma4_attention(x, w(attn.q_proj), w(attn.k_proj), None if attn.v_proj is None else w(attn.v_proj),
                              w(attn.o_proj), attn.q_norm.weight.detach().numpy(), attn.k_norm.weight.detach().numpy(),
                              H, Hkv, d, np.arange(T), inv, window)
    compare(f"gemma4_attention (layer {layer}, {'K=V' if k_eq_v else 'K, V'})", ours, theirs[0])


def test_per_layer_embeddings_match_the_text_model():
    cfg = tiny_config()
    model = randomize(hf.Gemma4TextModel(cfg), seed=3)
    ids = torch.tensor([[4, 0, 49, 7, 7]])
    embeds = model.embed_tokens(ids)
    theirs = model.project_per_layer_inputs(embeds, model.get_per_layer_inputs(ids))
    ours = g.ple_inputs(ids[0].numpy(), embeds[0].detach().numpy(), model.embed_tokens_per_layer.weight.detach().numpy(),
                        model.per_layer_model_projection.weight.detach().numpy().T,
                        model.per_layer_projection_norm.weight.detach().numpy(), cfg.num_hidden_layers)
    compare("ple_inputs", ours, theirs[0])
    layer = model.layers[0]
    h = torch.tensor(np.random.default_rng(4).normal(size=(1, 5, cfg.hidden_size)))
    u = theirs[:, :, 0, :]
    gated = layer.post_per_layer_input_norm(layer.per_layer_projection(layer.act_fn(layer.per_layer_input_gate(h)) * u))
    ours = g.per_layer_input_gate(h[0].numpy(), u[0].detach().numpy(),
                                  layer.per_layer_input_gate.weight.detach().numpy().T,
                                  layer.per_layer_projection.weight.detach().numpy().T,
                                  layer.post_per_layer_input_norm.weight.detach().numpy())
    compare("per_layer_input_gate", ours, (h + gated)[0])
    assert g.ple_param_count(262_144, 35, 256) == 262_144 * 35 * 256


@pytest.mark.parametrize("name", ["E2B", "E4B", "26B-A4B", "31B"])
def test_sharing_map_agrees_with_kv_sharing_modes(name):
    c = published(name)
    cfg = Gemma4TextConfig(num_hidden_layers=len(c["layer_types"]), layer_types=c["layer_types"],
                           num_kv_shared_layers=c["num_kv_shared_layers"])
    modes = cfg.kv_sharing_modes
    src = g.kv_sharing_map(c["layer_types"], c["num_kv_shared_layers"])
    stores = {c["layer_types"][i]: i for i, m in enumerate(modes) if m == "store"}
    for i, mode in enumerate(modes):
        assert src[i] == (stores[c["layer_types"][i]] if mode == "reuse" else i), (name, i, mode)


@pytest.mark.parametrize("k_eq_v, shared", [(False, 3), (True, 3), (False, 0)])
def test_attention_stack_with_shared_kv_matches_the_decoder_layers(k_eq_v, shared):
    """The decoder layers' sandwich norms around HF's attention, fed HF's shared_kv_states, against
    shared_kv_stack (and its token-by-token twin shared_kv_decode): the sharing map and the reuse of
    the producer's K/V are the same."""
    cfg = tiny_config(k_eq_v=k_eq_v, shared=shared)
    model = randomize(hf.Gemma4TextModel(cfg), seed=7)
    T = 9
    x = np.random.default_rng(8).normal(size=(T, cfg.hidden_size))
    tables = {t: rope_tables(cfg, T, t) for t in (S, F)}
    h, states, layers = torch.tensor(x)[None], {}, []
    w = lambda lin: lin.weight.detach().numpy().T  # noqa: E731
    for i, layer in enumerate(model.layers):
        t = cfg.layer_types[i]
        rotary, cos, sin = tables[t]
        attn = layer.self_attn
        a = layer.input_layernorm(h)
        out, _ = attn(a, (cos, sin), mask(T, cfg.sliding_window if t == S else None), shared_kv_states=states)
        h = h + layer.post_attention_layernorm(out)
        spec = dict(w_q=w(attn.q_proj), w_o=w(attn.o_proj), q_norm=attn.q_norm.weight.detach().numpy(),
                    pre_norm=layer.input_layernorm.weight.detach().numpy(),
                    post_norm=layer.post_attention_layernorm.weight.detach().numpy(),
                    n_heads=cfg.num_attention_heads, head_dim=attn.head_dim,
                    inv_freq=getattr(rotary, f"{t}_inv_freq").double().numpy())
        if not attn.is_kv_shared_layer:
            spec.update(w_k=w(attn.k_proj), w_v=None if attn.v_proj is None else w(attn.v_proj),
                        k_norm=attn.k_norm.weight.detach().numpy(), n_kv_heads=attn.k_proj.weight.shape[0] // attn.head_dim)
        else:
            spec["n_kv_heads"] = None
        layers.append(spec)
    ours = g.shared_kv_stack(x, layers, cfg.layer_types, shared, cfg.sliding_window)
    compare(f"shared_kv_stack ({'K=V' if k_eq_v else 'K, V'}, {shared} shared)", ours, h[0])
    decoded, lengths = g.shared_kv_decode(x, layers, cfg.layer_types, shared, cfg.sliding_window)
    np.testing.assert_allclose(decoded, ours, rtol=0, atol=1e-12)
    src = g.kv_sharing_map(cfg.layer_types, shared)
    assert lengths == [0 if src[i] != i else (min(T, 3) if cfg.layer_types[i] == S else T) for i in range(7)]

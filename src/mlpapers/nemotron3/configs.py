"""The published Nemotron 3 configurations the chapter computes with (Hugging Face field names).

Sources: the released ``config.json`` files of NVIDIA-Nemotron-3-Nano-30B-A3B and
NVIDIA-Nemotron-3-Super-120B-A12B (model type ``nemotron_h``; field names as in ``transformers``'
``NemotronHConfig``), cross-checked against the architecture tables of the Nano report (arXiv
2512.20848) and the Super report (arXiv 2604.12374): Nano 52 layers = 23 Mamba-2 + 23 MoE + 6
attention, Super 88 = 40 + 40 + 8. ``QWEN3_30B_A3B_KV`` keeps only what the KV cache needs of
Qwen3-30B-A3B (48 attention layers, 4 KV heads of dimension 128).

Pattern characters: ``M`` Mamba-2, ``E`` MoE, ``*`` attention, ``-`` dense MLP.

| field | Nano | Super |
|---|---|---|
| hidden size | 2688 | 4096 |
| Q / KV heads, head dim | 32 / 2, 128 | 32 / 2, 128 |
| Mamba heads x head dim, state, groups | 64 x 64, 128, 8 | 128 x 64, 128, 8 |
| routed experts, top-k, width | 128, 6, 1856 | 512, 22, 2688 |
| latent size, shared width | none, 3712 | 1024, 5376 |
| routed scaling factor | 2.5 | 5.0 |
"""
from __future__ import annotations

import copy

_CONFIGS = {
    "nano": {
        "hidden_size": 2688,
        "hybrid_override_pattern": "MEMEM*EMEMEM*EMEMEM*EMEMEM*EMEMEM*EMEMEMEM*EMEMEMEME",
        "num_attention_heads": 32, "num_key_value_heads": 2, "head_dim": 128,
        "mamba_num_heads": 64, "mamba_head_dim": 64, "ssm_state_size": 128, "n_groups": 8, "conv_kernel": 4,
        "use_conv_bias": True, "n_routed_experts": 128, "num_experts_per_tok": 6, "n_shared_experts": 1,
        "moe_intermediate_size": 1856, "moe_shared_expert_intermediate_size": 3712, "moe_latent_size": None,
        "intermediate_size": 1856, "routed_scaling_factor": 2.5, "norm_topk_prob": True,
        "vocab_size": 131072, "tie_word_embeddings": False},
    "super": {
        "hidden_size": 4096,
        "hybrid_override_pattern": ("MEMEMEM*EMEMEMEM*EMEMEMEM*EMEMEMEMEM*EMEMEMEMEM*EMEMEMEMEM*EMEMEMEMEM*"
                                    "EMEMEMEM*EMEMEMEME"),
        "num_attention_heads": 32, "num_key_value_heads": 2, "head_dim": 128,
        "mamba_num_heads": 128, "mamba_head_dim": 64, "ssm_state_size": 128, "n_groups": 8, "conv_kernel": 4,
        "use_conv_bias": True, "n_routed_experts": 512, "num_experts_per_tok": 22, "n_shared_experts": 1,
        "moe_intermediate_size": 2688, "moe_shared_expert_intermediate_size": 5376, "moe_latent_size": 1024,
        "intermediate_size": 2688, "routed_scaling_factor": 5.0, "norm_topk_prob": True,
        "vocab_size": 131072, "tie_word_embeddings": False},
    "qwen3_30b_a3b_kv": {"hybrid_override_pattern": "*" * 48, "num_key_value_heads": 4, "head_dim": 128},
}

NAMES = tuple(_CONFIGS)


def config(name: str) -> dict:
    """A fresh copy of one configuration: ``"nano"``, ``"super"`` or ``"qwen3_30b_a3b_kv"``."""
    if name not in _CONFIGS:
        raise ValueError(f"name must be one of {', '.join(map(repr, NAMES))}, got {name!r}")
    return copy.deepcopy(_CONFIGS[name])

"""The published Gemma 4 text configurations the chapter computes with.

Source: Hugging Face ``transformers``, ``src/transformers/models/gemma4/convert_gemma4_weights.py``
(the ``_VARIANTS`` table, read at commit ca5ff0b), with the defaults of ``Gemma4TextConfig``
(``configuration_gemma4.py``, transformers 5.23.0) for every field a variant does not set:
``head_dim`` 256, ``global_head_dim`` 512 (popped with that default in ``__post_init__``),
``sliding_window`` 512, ``max_position_embeddings`` 131 072, ``vocab_size_per_layer_input``
262 144, ``rms_norm_eps`` 1e-6. RoPE (``_ROPE_PARAMS``): sliding layers theta 10 000 default RoPE;
full layers theta 1 000 000, proportional RoPE with ``partial_rotary_factor`` 0.25.

| field                  | E2B         | E4B         | 26B-A4B      | 31B          | where                         |
|------------------------|-------------|-------------|--------------|--------------|-------------------------------|
| layers, pattern        | 35, 4S:1F   | 42, 5S:1F   | 30, 5S:1F    | 60, 5S:1F    | ``layer_types`` in _VARIANTS  |
| hidden size            | 1536        | 2560        | 2816         | 5376         | _VARIANTS                     |
| q heads / kv heads     | 8 / 1       | 8 / 2       | 16 / 8       | 32 / 16      | _VARIANTS                     |
| global kv heads, K=V   | -, no       | -, no       | 2, yes       | 4, yes       | _VARIANTS                     |
| sliding window         | 512         | 512         | 1024         | 1024         | default / _VARIANTS           |
| kv-shared layers       | 20          | 18          | 0            | 0            | _VARIANTS                     |
| per-layer input dim    | 256         | 256         | 0 (none)     | 0 (none)     | ``hidden_size_per_layer_input`` |
| max positions          | 131 072     | 131 072     | 262 144      | 262 144      | default / _VARIANTS           |
"""
from __future__ import annotations

import copy

SLIDING, FULL = "sliding_attention", "full_attention"
ROPE = {SLIDING: {"theta": 10_000.0, "rope_type": "default", "partial_rotary_factor": 1.0},
        FULL: {"theta": 1_000_000.0, "rope_type": "proportional", "partial_rotary_factor": 0.25}}


def _types(sliding_per_full: int, repeats: int) -> list[str]:
    return ([SLIDING] * sliding_per_full + [FULL]) * repeats


_CONFIGS = {
    "E2B": dict(layer_types=_types(4, 7), hidden_size=1536, num_attention_heads=8, num_key_value_heads=1,
                num_global_key_value_heads=None, attention_k_eq_v=False, head_dim=256, global_head_dim=512,
                sliding_window=512, num_kv_shared_layers=20, hidden_size_per_layer_input=256,
                vocab_size_per_layer_input=262_144, max_position_embeddings=131_072),
    "E4B": dict(layer_types=_types(5, 7), hidden_size=2560, num_attention_heads=8, num_key_value_heads=2,
                num_global_key_value_heads=None, attention_k_eq_v=False, head_dim=256, global_head_dim=512,
                sliding_window=512, num_kv_shared_layers=18, hidden_size_per_layer_input=256,
                vocab_size_per_layer_input=262_144, max_position_embeddings=131_072),
    "26B-A4B": dict(layer_types=_types(5, 5), hidden_size=2816, num_attention_heads=16, num_key_value_heads=8,
                    num_global_key_value_heads=2, attention_k_eq_v=True, head_dim=256, global_head_dim=512,
                    sliding_window=1024, num_kv_shared_layers=0, hidden_size_per_layer_input=0,
                    vocab_size_per_layer_input=262_144, max_position_embeddings=262_144),
    "31B": dict(layer_types=_types(5, 10), hidden_size=5376, num_attention_heads=32, num_key_value_heads=16,
                num_global_key_value_heads=4, attention_k_eq_v=True, head_dim=256, global_head_dim=512,
                sliding_window=1024, num_kv_shared_layers=0, hidden_size_per_layer_input=0,
                vocab_size_per_layer_input=262_144, max_position_embeddings=262_144),
}
NAMES = tuple(_CONFIGS)


def config(name: str) -> dict:
    """A fresh copy of the published text configuration ``name`` (one of :data:`NAMES`)."""
    if name not in _CONFIGS:
        raise ValueError(f"name must be one of {', '.join(NAMES)}, got {name!r}")
    return copy.deepcopy(_CONFIGS[name])

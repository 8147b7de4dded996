"""Explorer for problem 178: a TurboQuant KV cache inside decode-time attention.

A synthetic "needle" task: random Gaussian keys and values, and a query aligned with one key
(the needle), so that attention is sharply peaked as in retrieval (TurboQuant Sec. 4.2 uses
Needle-in-a-Haystack on Llama-3.1-8B). Three panels, all driven by the student's functions:
true vs quantised attention weights around the needle; relative output error against bits for
mse and prod keys; and the KV memory of Llama-3.1-8B (32 layers, 8 KV heads, head_dim 128) at
the chosen context, with the paper's 2.5-bit channel split (Sec. 4.3).

Not covered: real model activations, outlier channels, GPU kernels.
"""
from __future__ import annotations

from typing import Callable

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np

from mlpapers.widgetkit import Explorer

__all__ = ["LLAMA_31_8B", "needle_data", "needle_errors", "draw_kv_cache", "kv_cache_explorer"]

# Published config of meta-llama/Llama-3.1-8B(-Instruct): the fields the KV cache depends on.
LLAMA_31_8B = {"n_layers": 32, "n_kv_heads": 8, "head_dim": 128}
_N_CHOICES = (256, 512, 1024, 2048, 4096, 8192)


def needle_data(n: int, d: int = 64, strength: float = 1.2, seed: int = 0):
    """Keys, values and one query aimed at a needle key.

    Returns:
        (K (n, d), V (n, d), q (d,), needle index) with q = strength * K[needle].

    Example: ``K, V, q, j = needle_data(1024)``
    """
    rng = np.random.default_rng(seed)
    K = rng.standard_normal((n, d))
    V = rng.standard_normal((n, d))
    j = n // 3
    return K, V, strength * K[j], j


def needle_errors(attention: Callable, K, V, q, value_bits, seed: int = 1, bits=(1, 2, 3, 4)):
    """Relative output error |o_hat - o| / |o| per key bit-width, for "mse" and "prod" keys.

    Args:
        attention: the student's ``turboquant_kv_attention``.
        K, V, q: the cache and one query.  value_bits: bits for the values (None = exact).
        seed: seed of the rng passed to every call.  bits: key bit-widths to try.

    Returns:
        dict mode -> (len(bits),) float array.
    """
    exact = attention(q, K, V, None, None, np.random.default_rng(seed))
    out = {}
    for mode in ("mse", "prod"):
        errs = [np.linalg.norm(attention(q, K, V, b, value_bits, np.random.default_rng(seed), mode) - exact)
                / np.linalg.norm(exact) for b in bits]
        out[mode] = np.array(errs)
    return out


def draw_kv_cache(key_bits: int, value_bits: int, key_mode: str, n: int, strength: float, *,
                  attention: Callable, cache_bytes: Callable, vector_bytes: Callable,
                  d: int = 64, seed: int = 0):
    """Three-panel figure and readout for one setting of the controls.

    Args:
        key_bits, value_bits: 1..4.  key_mode: "mse" or "prod".  n: context length.
        strength: needle query scale.  attention: the student's ``turboquant_kv_attention``.
        cache_bytes, vector_bytes: the student's ``kv_cache_bytes`` / ``turboquant_vector_bytes``.

    Returns:
        (matplotlib Figure, readout str).
    """
    K, V, q, j = needle_data(n, d, strength, seed)
    lo, hi = max(0, j - 10), min(n, j + 11)
    window = np.arange(lo, hi)
    onehot = np.zeros((n, len(window)))
    onehot[window, np.arange(len(window))] = 1.0           # V = one-hot columns -> the weights
    w_true = attention(q, K, onehot, None, None, np.random.default_rng(seed + 1))
    w_quant = attention(q, K, onehot, key_bits, None, np.random.default_rng(seed + 1), key_mode)
    errs = needle_errors(attention, K, V, q, value_bits, seed + 1)

    fig, axes = plt.subplots(1, 3, figsize=(9.5, 3.3))
    ax = axes[0]
    ax.bar(window - 0.2, w_true, width=0.4, label="fp64 keys")
    ax.bar(window + 0.2, w_quant, width=0.4, label=f"{key_mode} {key_bits}-bit keys")
    ax.set_xlabel("token position")
    ax.set_yscale("log")                                   # shows the small weights next to the needle
    ax.set_ylim(1e-4, 1.5)
    ax.set_ylabel("attention weight (log)")
    ax.set_title("weights near the needle")
    ax.legend(fontsize=7)

    ax = axes[1]
    b = np.arange(1, 5)
    ax.plot(b, errs["mse"], "o-", label="mse keys")
    ax.plot(b, errs["prod"], "s-", label="prod keys")
    ax.set_yscale("log")
    ax.set_xticks(b)
    ax.set_xlabel("key bits")
    ax.set_ylabel("|ô − o| / |o|")
    ax.set_title(f"output error, values {value_bits} bits")
    ax.legend(fontsize=7)

    ax = axes[2]
    cfg = LLAMA_31_8B
    full = cache_bytes(n, cfg["n_layers"], cfg["n_kv_heads"], cfg["head_dim"], None, None)
    ours = cache_bytes(n, cfg["n_layers"], cfg["n_kv_heads"], cfg["head_dim"], key_bits, value_bits, key_mode)
    split_vec = vector_bytes(32, 3) + vector_bytes(96, 2)  # 2.5 bits: 32 outlier channels at 3 bits
    split = n * cfg["n_layers"] * cfg["n_kv_heads"] * 2 * split_vec
    labels = ["fp16", f"TQ {key_bits}/{value_bits}\n{key_mode}", "TQ 2.5-bit\nsplit"]
    sizes = np.array([full, ours, split]) / 2 ** 20
    ax.bar(labels, sizes, color=["0.5", "tab:blue", "tab:green"])
    ax.set_ylabel("MiB")
    ax.set_title(f"KV cache, Llama-3.1-8B, n = {n}", fontsize=10)
    fig.tight_layout()
    readout = (f"needle weight: true {w_true[j - lo]:.3f}, quantised {w_quant[j - lo]:.3f}\n"
               f"output error (key bits 1..4): mse {np.round(errs['mse'], 3)}, prod {np.round(errs['prod'], 3)}\n"
               f"Llama-3.1-8B at {n} tokens: fp16 {full / 2**20:.1f} MiB, this cache {ours / 2**20:.1f} MiB "
               f"({full / ours:.2f}x smaller), 2.5-bit split {split / 2**20:.1f} MiB")
    return fig, readout


def kv_cache_explorer(attention: Callable, cache_bytes: Callable, vector_bytes: Callable,
                      seed: int = 0) -> Explorer:
    """Explorer with key bits, value bits, key mode, context length and needle strength.

    Example: ``kv_cache_explorer(turboquant_kv_attention, kv_cache_bytes, turboquant_vector_bytes).show(interactive)``
    """
    controls = {
        "key_bits": widgets.IntSlider(value=3, min=1, max=4, description="key bits"),
        "value_bits": widgets.IntSlider(value=3, min=1, max=4, description="value bits"),
        "key_mode": widgets.ToggleButtons(options=["mse", "prod"], value="mse", description="keys"),
        "n": widgets.SelectionSlider(options=list(_N_CHOICES), value=1024, description="context n"),
        "strength": widgets.FloatSlider(value=1.2, min=0.2, max=3.0, step=0.1, description="needle"),
    }

    def draw(key_bits, value_bits, key_mode, n, strength):
        return draw_kv_cache(key_bits, value_bits, key_mode, n, strength, attention=attention,
                             cache_bytes=cache_bytes, vector_bytes=vector_bytes, seed=seed)

    return Explorer(draw, controls, title="TurboQuant KV cache: attention error and memory")

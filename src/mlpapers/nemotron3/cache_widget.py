"""Explorer for problem 406: what the decode cache of a hybrid Mamba-attention stack costs.

Two panels, every byte computed by the student's ``decode_cache_bytes`` (and the notebook's
``attention_only_config`` for the all-attention twin of Super):

* stacked bars (KV cache, Mamba SSM state, Mamba conv state) at the chosen context length for
  Nemotron 3 Nano, Nemotron 3 Super, Super with every Mamba layer turned into attention, and
  Qwen3-30B-A3B (48 attention layers);
* the total cache against context length (1K to 1M tokens, log axes), with a vertical line at
  the crossover length L* where Super's KV cache overtakes its constant Mamba state (and one for
  Nano).

The byte sizes of the KV cache and of the SSM state come from two dropdowns; the conv state stays
bf16 (2 bytes). The published configurations come from :mod:`mlpapers.nemotron3.configs`. Not
covered: batch > 1, the KV cache of Super's MTP layer, paging overheads, activations, weights.
"""
from __future__ import annotations

from typing import Callable

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Rectangle

from mlpapers.nemotron3.configs import config
from mlpapers.widgetkit import Explorer

__all__ = ["MODELS", "CONTEXTS", "KV_DTYPES", "SSM_DTYPES", "PART_COLOURS", "LAYER_COLOURS",
           "model_configs", "crossover_tokens", "draw_pattern_strip", "draw_cache", "make_cache_explorer"]

MODELS = ("Nano", "Super", "Super all-attention", "Qwen3-30B-A3B")
#: context lengths of the slider: 1K ... 1M tokens, one step per doubling (a log scale)
CONTEXTS = tuple(2 ** k for k in range(10, 21))
KV_DTYPES = (("bf16 (2 B)", 2.0), ("fp8 (1 B)", 1.0), ("fp32 (4 B)", 4.0))
SSM_DTYPES = (("fp32 (4 B)", 4.0), ("bf16 (2 B)", 2.0))
CONV_BYTES = 2.0
PARTS = ("kv", "ssm", "conv")
PART_COLOURS = {"kv": "#e6550d", "ssm": "#3182bd", "conv": "#9ecae1"}
PART_LABELS = {"kv": "KV cache", "ssm": "SSM state", "conv": "conv state"}
#: one colour per character of a hybrid_override_pattern
LAYER_COLOURS = {"M": "#3182bd", "E": "#d9d9d9", "*": "#e6550d", "-": "#74c476"}
LAYER_NAMES = {"M": "Mamba-2", "E": "MoE", "*": "attention", "-": "dense MLP"}
_GIB, _MIB = 2.0 ** 30, 2.0 ** 20


def _tokens(n: int) -> str:
    if n >= 2 ** 20 and n % 2 ** 20 == 0:
        return f"{n // 2 ** 20}M"
    return f"{n // 1024}K" if n % 1024 == 0 else str(n)


def model_configs(attention_only_config: Callable) -> dict[str, dict]:
    """The four configurations of the explorer, by name; the all-attention one from the given function.

    Example: ``model_configs(attention_only_config)["Super all-attention"]["hybrid_override_pattern"].count("*")`` -> 48.
    """
    return {"Nano": config("nano"), "Super": config("super"),
            "Super all-attention": attention_only_config(config("super")),
            "Qwen3-30B-A3B": config("qwen3_30b_a3b_kv")}


def crossover_tokens(decode_cache_bytes: Callable, cfg: dict, kv_bytes: float = 2.0,
                     ssm_bytes: float = 4.0, conv_bytes: float = CONV_BYTES) -> float:
    """L* = (SSM + conv bytes) / (KV bytes per token), from the student's ``decode_cache_bytes``.

    ``inf`` for a stack without attention, 0 for one without Mamba layers.
    Example: ``crossover_tokens(decode_cache_bytes, config("super"))`` -> 20780.0.
    """
    state = decode_cache_bytes(cfg, 0, kv_bytes=kv_bytes, ssm_bytes=ssm_bytes, conv_bytes=conv_bytes)
    per_token = decode_cache_bytes(cfg, 1, kv_bytes=kv_bytes, ssm_bytes=ssm_bytes, conv_bytes=conv_bytes)["kv"]
    fixed = float(state["ssm"]) + float(state["conv"])
    return float("inf") if per_token == 0 else fixed / float(per_token)


def draw_pattern_strip(ax, pattern: str, *, title: str = "") -> None:
    """One coloured box per layer of a ``hybrid_override_pattern`` (M, E, *, -), left to right.

    Boxes carry gids ``layer_<i>_<char>``. Example: ``draw_pattern_strip(ax, config("nano")["hybrid_override_pattern"])``.
    """
    for i, ch in enumerate(pattern):
        ax.add_patch(Rectangle((i, 0.0), 0.92, 1.0, facecolor=LAYER_COLOURS.get(ch, "white"),
                               edgecolor="none", gid=f"layer_{i}_{ch}"))
        if ch == "*":
            ax.text(i + 0.46, 1.15, str(i), ha="center", va="bottom", fontsize=6, color=LAYER_COLOURS["*"])
    ax.set_xlim(-0.5, max(len(pattern), 1) + 0.5)
    ax.set_ylim(-0.1, 1.8)
    ax.set_yticks([])
    ax.set_xticks([])
    for side in ("left", "right", "top", "bottom"):
        ax.spines[side].set_visible(False)
    if title:
        ax.set_title(title, fontsize=9, loc="left")


def draw_cache(seq_len: int = 2 ** 20, kv_bytes: float = 2.0, ssm_bytes: float = 4.0, *,
               decode_cache_bytes: Callable, attention_only_config: Callable):
    """The two-panel figure and the readout for one setting of the controls.

    Args:
        seq_len: context length in tokens.
        kv_bytes, ssm_bytes: bytes per number of the KV cache and of the SSM state.
        decode_cache_bytes: the student's function (dict with "kv", "ssm", "conv", "total").
        attention_only_config: turns every Mamba layer of a config into attention.

    Returns:
        (matplotlib Figure, readout str).
    """
    seq_len = int(seq_len)
    kw = dict(kv_bytes=kv_bytes, ssm_bytes=ssm_bytes, conv_bytes=CONV_BYTES)
    cfgs = model_configs(attention_only_config)
    now = {m: {k: float(v) for k, v in decode_cache_bytes(c, seq_len, **kw).items()} for m, c in cfgs.items()}
    crossing = {m: crossover_tokens(decode_cache_bytes, cfgs[m], **kw) for m in ("Nano", "Super")}

    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(8.0, 3.9), gridspec_kw=dict(width_ratios=[1.0, 1.15]))
    fig.subplots_adjust(left=0.08, right=0.98, top=0.9, bottom=0.2, wspace=0.28)
    for j, m in enumerate(MODELS):
        bottom = 0.0
        for part in PARTS:
            height = now[m][part] / _GIB
            ax.bar(j, height, bottom=bottom, width=0.62, color=PART_COLOURS[part], gid=f"bar_{m}_{part}",
                   label=PART_LABELS[part] if j == 0 else None)
            bottom += height
        ax.text(j, bottom, f"{now[m]['total'] / _GIB:.3g}", ha="center", va="bottom", fontsize=7)
    ax.set_xticks(range(len(MODELS)), ["Nano", "Super", "Super\nall-attn", "Qwen3-\n30B-A3B"], fontsize=7)
    ax.set_ylabel("decode cache (GiB)")
    ax.set_title(f"cache at {_tokens(seq_len)} tokens, batch 1", fontsize=9)
    ax.set_ylim(0, 1.15 * max(now[m]["total"] for m in MODELS) / _GIB)
    ax.legend(fontsize=7, loc="upper left", frameon=False)

    ctx = np.array(CONTEXTS, dtype=np.int64)
    for j, m in enumerate(MODELS):
        totals = [float(decode_cache_bytes(cfgs[m], int(n), **kw)["total"]) / _GIB for n in ctx]
        ax2.plot(ctx, totals, "o-", ms=2.5, lw=1.2, color=f"C{j}", label=m, gid=f"total_{m}")
    for m, style in (("Super", "-"), ("Nano", ":")):
        if np.isfinite(crossing[m]) and crossing[m] > 0:
            ax2.axvline(crossing[m], color="0.3", lw=0.9, ls=style, gid=f"crossover_{m}")
            ax2.text(crossing[m] * 1.08, 0.98, f"L* {m}\n{crossing[m]:,.0f}", transform=ax2.get_xaxis_transform(),
                     fontsize=6.5, va="top", color="0.3")
    ax2.axvline(seq_len, color="tab:red", lw=0.8, ls="--", alpha=0.6, gid="context")
    ax2.set_xscale("log", base=2)
    ax2.set_yscale("log")
    ax2.set_xticks(ctx[::2], [_tokens(int(n)) for n in ctx[::2]], fontsize=7)
    ax2.set_xlabel("context length (tokens)")
    ax2.set_ylabel("GiB")
    ax2.set_title("total cache against context", fontsize=9)
    ax2.grid(True, lw=0.3, alpha=0.5)
    ax2.legend(fontsize=6.5, loc="lower right")

    kv_name = dict((v, k) for k, v in KV_DTYPES).get(kv_bytes, f"{kv_bytes:g} B")
    ssm_name = dict((v, k) for k, v in SSM_DTYPES).get(ssm_bytes, f"{ssm_bytes:g} B")
    lines = [f"{_tokens(seq_len)} = {seq_len:,} tokens, batch 1; KV {kv_name}, SSM state {ssm_name}, conv state bf16"]
    for m in MODELS:
        t = now[m]["total"]
        shares = ", ".join(f"{PART_LABELS[p]} {100 * now[m][p] / t:.1f} %" for p in PARTS) if t else "-"
        lines.append(f"{m:>19}: {t / _GIB:9.3f} GiB ({shares})")
    sup = now["Super"]["total"]
    lines.append(f"Super all-attention / Super: {now['Super all-attention']['total'] / sup:.4f}x; "
                 f"Qwen3-30B-A3B / Super: {now['Qwen3-30B-A3B']['total'] / sup:.4f}x")
    lines.append(f"KV overtakes the Mamba state at L* = {crossing['Super']:,.0f} tokens (Super), "
                 f"{crossing['Nano']:,.1f} (Nano)")
    return fig, "\n".join(lines)


def make_cache_explorer(decode_cache_bytes: Callable, attention_only_config: Callable) -> Explorer:
    """Explorer with a context slider (1K-1M, log) and dropdowns for the KV and SSM-state dtypes.

    Example: ``make_cache_explorer(decode_cache_bytes, attention_only_config).show(interactive)``
    """
    controls = {
        "seq_len": widgets.SelectionSlider(options=[(_tokens(n), n) for n in CONTEXTS], value=2 ** 20,
                                           description="context", continuous_update=False),
        "kv_bytes": widgets.Dropdown(options=list(KV_DTYPES), value=2.0, description="KV dtype"),
        "ssm_bytes": widgets.Dropdown(options=list(SSM_DTYPES), value=4.0, description="SSM dtype"),
    }

    def draw(**values):
        return draw_cache(**values, decode_cache_bytes=decode_cache_bytes,
                          attention_only_config=attention_only_config)

    return Explorer(draw, controls, title="Nemotron 3 decode cache: KV against Mamba state")

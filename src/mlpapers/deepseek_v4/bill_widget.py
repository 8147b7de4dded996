"""Explorer for problem 372: the 1M-token bill of V3.2, V4-Pro and V4-Flash.

Three panels, every number from the student's ``kv_cache_bytes`` and ``decode_flops`` applied to
the configurations of the notebook's ``published_configs`` (DeepSeek-V4 report §4.2.1, the
Hugging Face ``config.json`` files, the V3.2 config), changed by the controls:

* KV-cache GB against context length (4K to 1M tokens, log x), one line per design;
* decode GFLOPs for one token against context length, one line per design (the shape of the
  report's Fig. 1, right);
* at the chosen context, the decode FLOPs of each design stacked by component (parameters,
  core attention, indexer), each component being ``decode_flops`` with the other precision
  weights set to 0 (the FLOP count is linear in the weights).

Controls: the storage assumption (packed FP8 with scales, packed without scale bytes, all BF16),
the precision weights (FP8-equivalent, or every FLOP counted once), and for the two V4 designs
the compression rates m and m', the CSA top-k and the window n_win. Not covered: the MTP block,
the compressors' own FLOPs, batch size above 1 (the course's assumptions A1-A6).
"""
from __future__ import annotations

from typing import Callable

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np

from mlpapers.widgetkit import Explorer

__all__ = ["DESIGNS", "COLOURS", "CONTEXTS", "STORAGE", "design_configs", "flop_components", "plot_bill",
           "draw_bill", "make_bill_explorer"]

DESIGNS = ("V3.2", "V4-Pro", "V4-Flash")
COLOURS = {"V3.2": "#7f7f7f", "V4-Pro": "#1f4e9c", "V4-Flash": "#e6550d"}
#: context lengths of the curves and of the slider: 4K ... 1M tokens, one step per doubling
CONTEXTS = tuple(2 ** k for k in range(12, 21))
#: bytes per cached entry and per indexer key, (V3.2, V4), under each storage assumption:
#: packed = FP8 with block scales + BF16 RoPE dims (assumption A1); the same without the scale
#: bytes; every number in BF16 (2 bytes per dimension: 576 / 512 and 128 dimensions)
STORAGE = {
    "packed": {"V3.2": (656, 132), "V4": (584, 68)},
    "no_scales": {"V3.2": (640, 128), "V4": (576, 64)},
    "bf16": {"V3.2": (1152, 256), "V4": (1024, 256)},
}
STORAGE_LABELS = {"packed": "packed FP8 + scales (A1)", "no_scales": "packed, no scale bytes", "bf16": "all BF16"}
WEIGHT_LABELS = {"fp8": "FP8-equivalent (A3)", "ones": "every FLOP counts 1"}
COMPONENTS = (("parameters", dict(w_attn=0, w_idx=0)), ("attention", dict(w_param=0, w_idx=0)),
              ("indexer", dict(w_param=0, w_attn=0)))
_GB = 1e9


def _tokens(n: int) -> str:
    return f"{n // 2 ** 20}M" if n % 2 ** 20 == 0 else f"{n // 1024}K" if n % 1024 == 0 else str(n)


def design_configs(published: dict, storage: str = "packed", weights: str = "fp8", m: int | None = None,
                   m_hca: int | None = None, top_k: int | None = None, n_win: int | None = None) -> dict:
    """Copies of the published configurations with the widget's choices applied.

    Args:
        published: ``published_configs()`` of the notebook (keys "V3.2", "V4-Pro", "V4-Flash").
        storage: a key of :data:`STORAGE`.  weights: "fp8" (keep A3) or "ones" (every weight 1).
        m, m_hca, top_k, n_win: new values for the two V4 designs; None keeps the published one.

    Returns:
        {design: config dict}; the input is not changed.

    Example: ``design_configs(published_configs(), "bf16")["V4-Pro"]["bytes_entry"]`` -> 1024.
    """
    out = {}
    for name in DESIGNS:
        cfg = dict(published[name])
        cfg["layers"] = list(cfg["layers"])
        cfg["bytes_entry"], cfg["bytes_idx"] = STORAGE[storage]["V3.2" if name == "V3.2" else "V4"]
        if weights == "ones":
            cfg.update(w_param=1, w_attn=1, w_idx=1)
        if name != "V3.2":
            for key, value in (("m", m), ("m_hca", m_hca), ("top_k", top_k), ("n_win", n_win)):
                if value:
                    cfg[key] = int(value)
            if n_win == 0:
                cfg["n_win"] = 0
        out[name] = cfg
    return out


def flop_components(decode_flops: Callable, cfg: dict, n_ctx: int) -> dict[str, float]:
    """{"parameters", "attention", "indexer"}: ``decode_flops`` with the other weights set to 0.

    Example: ``flop_components(decode_flops, published_configs()["V3.2"], 2**20)["parameters"]`` -> 7.4e10.
    """
    return {label: float(decode_flops({**cfg, **zeroed}, int(n_ctx))) for label, zeroed in COMPONENTS}


def plot_bill(ax_kv, ax_flops, cfgs: dict, kv_cache_bytes: Callable, decode_flops: Callable,
              contexts=CONTEXTS, logx: bool = True) -> dict:
    """Draw KV GB and decode GFLOPs against context, one line per design (gids ``kv_<d>``, ``flops_<d>``).

    Returns:
        {design: (kv bytes list, FLOPs list)} at ``contexts``.
    """
    curves = {}
    for name in DESIGNS:
        kv = [kv_cache_bytes(cfgs[name], int(n)) for n in contexts]
        fl = [float(decode_flops(cfgs[name], int(n))) for n in contexts]
        curves[name] = (kv, fl)
        style = dict(color=COLOURS[name], lw=1.6, ms=3, marker="o" if logx else None)
        ax_kv.plot(contexts, np.asarray(kv, dtype=float) / _GB, label=name, gid=f"kv_{name}", **style)
        ax_flops.plot(contexts, np.asarray(fl) / 1e9, label=name, gid=f"flops_{name}", **style)
    for ax in (ax_kv, ax_flops):
        if logx:
            ax.set_xscale("log", base=2)
            ax.set_xticks(list(contexts), [_tokens(int(n)) for n in contexts], fontsize=7)
        ax.set_xlabel("context length (tokens)")
        ax.grid(alpha=0.3)
        ax.set_ylim(bottom=0)
    ax_kv.set_ylabel("KV cache (GB, one sequence)")
    ax_flops.set_ylabel("decode GFLOPs per token")
    return curves


def draw_bill(storage: str = "packed", weights: str = "fp8", m: int = 4, m_hca: int = 128, top_k: int = 0,
              n_win: int = 128, n_ctx: int = 2 ** 20, *, published_configs: Callable,
              kv_cache_bytes: Callable, decode_flops: Callable):
    """The three-panel figure and the readout for one setting of the controls.

    ``top_k = 0`` keeps each V4 design's published top-k (Pro 1024, Flash 512).
    Returns (matplotlib Figure, readout str).
    """
    n_ctx = int(n_ctx)
    cfgs = design_configs(published_configs(), storage, weights, m, m_hca, top_k or None, n_win)
    fig, (ax_kv, ax_fl, ax_bar) = plt.subplots(1, 3, figsize=(10.0, 3.6), gridspec_kw={"width_ratios": [1.2, 1.2, 0.9]})
    plot_bill(ax_kv, ax_fl, cfgs, kv_cache_bytes, decode_flops)
    for ax in (ax_kv, ax_fl):
        ax.axvline(n_ctx, color="0.5", lw=0.8, ls=":")
    ax_kv.set_title("KV cache", fontsize=9)
    ax_fl.set_title("decode FLOPs (one token)", fontsize=9)
    ax_kv.legend(fontsize=7)

    parts, added = {}, True
    for j, name in enumerate(DESIGNS):
        parts[name] = flop_components(decode_flops, cfgs[name], n_ctx)
        bottom = 0.0
        for k, (label, _z) in enumerate(COMPONENTS):
            value = parts[name][label] / 1e9
            ax_bar.bar(j, value, bottom=bottom, width=0.6, color=f"C{k}", label=label if j == 0 else None,
                       gid=f"part_{name}_{label}")
            bottom += value
        total = float(decode_flops(cfgs[name], n_ctx))
        added = added and bool(np.isclose(sum(parts[name].values()), total, rtol=1e-9))
    ax_bar.set_xticks(range(len(DESIGNS)), DESIGNS, fontsize=8)
    ax_bar.set_ylabel("GFLOPs")
    ax_bar.set_title(f"by component at {_tokens(n_ctx)}", fontsize=9)
    ax_bar.legend(fontsize=7)
    fig.tight_layout()

    kv = {d: kv_cache_bytes(cfgs[d], n_ctx) for d in DESIGNS}
    fl = {d: float(decode_flops(cfgs[d], n_ctx)) for d in DESIGNS}
    lines = [f"{_tokens(n_ctx)} = {n_ctx:,} tokens; storage: {STORAGE_LABELS[storage]}; "
             f"weights: {WEIGHT_LABELS[weights]}",
             f"V4 designs: m = {cfgs['V4-Pro']['m']}, m' = {cfgs['V4-Pro']['m_hca']}, "
             f"top-k = {cfgs['V4-Pro']['top_k']} (Pro) / {cfgs['V4-Flash']['top_k']} (Flash), "
             f"n_win = {cfgs['V4-Pro']['n_win']}"]
    for d in DESIGNS:
        lines.append(f"{d:>8}: KV {kv[d]:>16,} B = {kv[d] / 2 ** 30:7.3f} GiB ({100 * kv[d] / kv['V3.2']:6.2f} %), "
                     f"decode {fl[d] / 1e9:8.1f} GFLOPs ({100 * fl[d] / fl['V3.2']:6.2f} %)")
    lines.append(f"components add up to decode_flops: {'yes' if added else 'NO'}")
    return fig, "\n".join(lines)


def make_bill_explorer(kv_cache_bytes: Callable, decode_flops: Callable, published_configs: Callable) -> Explorer:
    """Explorer with the storage and weight assumptions, the V4 design sliders and the context.

    Example: ``make_bill_explorer(kv_cache_bytes, decode_flops, published_configs).show(interactive)``
    """
    controls = {
        "storage": widgets.Dropdown(options=[(v, k) for k, v in STORAGE_LABELS.items()], value="packed",
                                    description="storage"),
        "weights": widgets.Dropdown(options=[(v, k) for k, v in WEIGHT_LABELS.items()], value="fp8",
                                    description="weights"),
        "m": widgets.SelectionSlider(options=[2, 4, 8, 16], value=4, description="CSA m", continuous_update=False),
        "m_hca": widgets.SelectionSlider(options=[32, 64, 128, 256, 512], value=128, description="HCA m'",
                                         continuous_update=False),
        "top_k": widgets.SelectionSlider(options=[("published", 0)] + [(str(k), k) for k in (256, 512, 1024, 2048, 4096)],
                                         value=0, description="CSA top-k", continuous_update=False),
        "n_win": widgets.SelectionSlider(options=[0, 64, 128, 256, 512, 1024], value=128, description="window",
                                         continuous_update=False),
        "n_ctx": widgets.SelectionSlider(options=[(_tokens(n), n) for n in CONTEXTS], value=2 ** 20,
                                         description="context", continuous_update=False),
    }

    def draw(**values):
        return draw_bill(**values, published_configs=published_configs, kv_cache_bytes=kv_cache_bytes,
                         decode_flops=decode_flops)

    return Explorer(draw, controls, title="The 1M-token bill: KV bytes and decode FLOPs of three designs")

"""Explorer for problem 408: what a latent size buys when the savings are reinvested in experts.

Start from a standard MoE layer of Super's width (d = 4096, expert width m = 2688, shared width
5376, N0 = 128 experts, top-K0 = 6: the Nano-like layer of the Background). Choose a latent size l;
with "reinvest" on, the layer gets N = (d/l) N0 experts and top-K = (d/l) K0, the recipe of the
LatentMoE paper (l = 1024 gives 512 experts and top-24; Super itself uses 512 and top-22).
Four bar panels over every latent size, the chosen one highlighted, each number from the
student's functions:

* total parameters of the layer (``moe_layer_params``);
* active parameters per token (``moe_layer_params``), with the FLOPs per token in the readout;
* all-to-all bytes per token, dispatch + combine (``all_to_all_bytes_per_token``);
* log10 C(N, K), the number of expert combinations a token can pick (computed here with lgamma:
  it is not a graded answer).

Not covered: the router's and the latent projections' communication, token de-duplication per
GPU, load imbalance.
"""
from __future__ import annotations

import math
from typing import Callable

import ipywidgets as widgets
import matplotlib.pyplot as plt

from mlpapers.widgetkit import Explorer

__all__ = ["D_MODEL", "D_FF", "D_SHARED", "N0", "K0", "LATENTS", "BYTES", "layer_shape", "log10_combinations",
           "draw_trade", "make_latent_trade_explorer"]

D_MODEL, D_FF, D_SHARED = 4096, 2688, 5376
N0, K0 = 128, 6
#: latent sizes of the slider; None is the standard layer (experts at width d, no projections)
LATENTS = (None, 2048, 1024, 512, 256)
BYTES = (("bf16 (2 B)", 2.0), ("fp8 (1 B)", 1.0))
PANELS = (("total", "total parameters (B)"), ("active", "active parameters per token (M)"),
          ("bytes", "all-to-all KB per token"), ("combos", "log10 C(N, K)"))
_BASE, _PICK = "#bcbddc", "#54278f"


def _name(lat) -> str:
    return "none" if lat is None else str(lat)


def layer_shape(latent, reinvest: bool = True) -> tuple[int, int]:
    """(N, K) of the layer with latent size ``latent``: N0, K0 times d/l when reinvesting.

    Example: ``layer_shape(1024)`` -> ``(512, 24)``; ``layer_shape(1024, False)`` -> ``(128, 6)``.
    """
    alpha = 1 if latent is None or not reinvest else D_MODEL // int(latent)
    return N0 * alpha, K0 * alpha


def log10_combinations(n: int, k: int) -> float:
    """log10 of the binomial coefficient C(n, k). Example: ``log10_combinations(128, 6)`` -> 9.734."""
    return (math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)) / math.log(10)


def _row(lat, reinvest, bytes_per_elem, moe_layer_params, all_to_all_bytes_per_token, moe_flops_per_token):
    N, K = layer_shape(lat, reinvest)
    p = moe_layer_params(D_MODEL, D_FF, N, K, lat, D_SHARED)
    return {"N": N, "K": K, "total": int(p["total"]), "active": int(p["active"]),
            "flops": int(moe_flops_per_token(D_MODEL, D_FF, N, K, lat, D_SHARED)),
            "bytes": float(all_to_all_bytes_per_token(D_MODEL, K, lat, bytes_per_elem)),
            "combos": log10_combinations(N, K)}


def draw_trade(latent=1024, reinvest: bool = True, bytes_per_elem: float = 2.0, *,
               moe_layer_params: Callable, all_to_all_bytes_per_token: Callable, moe_flops_per_token: Callable):
    """The four-panel figure and the readout for one setting of the controls.

    ``latent`` is l, or None or 0 for the standard layer. Bars carry gids ``<panel>_<latent>`` (panel in
    total, active, bytes, combos; latent "none" or l).
    Returns (matplotlib Figure, readout str).
    """
    latent = None if not latent else int(latent)             # the slider sends 0 for "none"
    fns = (moe_layer_params, all_to_all_bytes_per_token, moe_flops_per_token)
    rows = {lat: _row(lat, reinvest, bytes_per_elem, *fns) for lat in LATENTS}
    scale = {"total": 1e9, "active": 1e6, "bytes": 1e3, "combos": 1.0}
    fig, axes = plt.subplots(2, 2, figsize=(7.8, 5.0))
    fig.subplots_adjust(left=0.08, right=0.98, top=0.9, bottom=0.1, hspace=0.55, wspace=0.25)
    labels = [_name(lat) for lat in LATENTS]
    for ax, (key, title) in zip(axes.flat, PANELS):
        for j, lat in enumerate(LATENTS):
            value = rows[lat][key] / scale[key]
            picked = lat == latent
            ax.bar(j, value, width=0.65, color=_PICK if picked else _BASE, gid=f"{key}_{_name(lat)}")
            ax.text(j, value, f"{value:.3g}", ha="center", va="bottom", fontsize=7,
                    fontweight="bold" if picked else "normal")
        ax.set_xticks(range(len(LATENTS)), labels, fontsize=8)
        ax.set_title(title, fontsize=9)
        ax.set_ylim(0, 1.2 * max(rows[lat][key] for lat in LATENTS) / scale[key])
        ax.grid(axis="y", lw=0.3, alpha=0.5)
    for ax in axes[1]:
        ax.set_xlabel("latent size l (none = experts at width d)", fontsize=8)
    how = "N, K scaled by d/l" if reinvest else "N = 128, K = 6 kept"
    fig.suptitle(f"One MoE layer, d = {D_MODEL}, m = {D_FF}, shared {D_SHARED}; {how}", fontsize=10)

    now, std = rows[latent], rows[None]
    alpha = 1 if latent is None else D_MODEL // int(latent)
    lines = [f"l = {_name(latent)} (d/l = {alpha}), {how}: N = {now['N']}, K = {now['K']}, "
             f"all-to-all in {bytes_per_elem:g}-byte numbers",
             f"total  {now['total']:>14,} weights  ({now['total'] / std['total']:.3f}x the standard layer)",
             f"active {now['active']:>14,} weights  ({now['active'] / std['active']:.3f}x); "
             f"FLOPs per token {now['flops']:,}",
             f"all-to-all {now['bytes']:>10,.0f} bytes per token ({now['bytes'] / std['bytes']:.3f}x); "
             f"rows of width {D_MODEL if latent is None else latent}",
             f"log10 C({now['N']}, {now['K']}) = {now['combos']:.2f} (standard C({std['N']}, {std['K']}): "
             f"{std['combos']:.2f})"]
    sup = moe_layer_params(D_MODEL, D_FF, 512, 22, 1024, D_SHARED)
    lines.append(f"Super's own layer (l = 1024, N = 512, K = 22): total {int(sup['total']):,}, active "
                 f"{int(sup['active']):,}, all-to-all "
                 f"{float(all_to_all_bytes_per_token(D_MODEL, 22, 1024, bytes_per_elem)):,.0f} bytes per token")
    return fig, "\n".join(lines)


def make_latent_trade_explorer(moe_layer_params: Callable, all_to_all_bytes_per_token: Callable,
                               moe_flops_per_token: Callable) -> Explorer:
    """Explorer with a latent-size slider, a reinvest switch and the all-to-all number format.

    Example: ``make_latent_trade_explorer(moe_layer_params, all_to_all_bytes_per_token, moe_flops_per_token).show()``
    """
    controls = {
        "latent": widgets.SelectionSlider(options=[(_name(lat), lat or 0) for lat in LATENTS], value=1024,
                                          description="latent l", continuous_update=False),
        "reinvest": widgets.Checkbox(value=True, description="scale N and K by d/l"),
        "bytes_per_elem": widgets.Dropdown(options=list(BYTES), value=2.0, description="a2a dtype"),
    }

    def draw(**values):
        return draw_trade(**values, moe_layer_params=moe_layer_params,
                          all_to_all_bytes_per_token=all_to_all_bytes_per_token,
                          moe_flops_per_token=moe_flops_per_token)

    return Explorer(draw, controls, title="LatentMoE: shrink the expert width, reinvest in more experts")

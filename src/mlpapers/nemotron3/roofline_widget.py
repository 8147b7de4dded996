"""Explorer for problem 407: the roofline of one MoE layer's routed experts, standard against LatentMoE.

Two panels, every number from the student's ``moe_roofline`` (and ``expected_active_experts`` for
the tokens each active expert sees) on Nemotron 3 Super's routed-expert shape (d = 4096, expert
hidden width m = 2688, N = 512 experts; :mod:`mlpapers.nemotron3.configs`):

* a log-log roofline: attainable FLOP/s = min(peak, I * bandwidth) against arithmetic intensity I,
  with the path each design takes as the batch grows from 1 to 65536 tokens (small dots) and the
  chosen batch as a large marker: "standard" runs the experts at width d, "LatentMoE" at width l
  plus the two shared projections d -> l -> d;
* the two times of the roofline model at the chosen batch, memory (bytes / bandwidth) and compute
  (FLOPs / peak), for both designs on a log axis: the larger one is the layer's time.

Controls: batch tokens (1 ... 65536, one step per doubling), top-k, the latent size l (none, 512,
1024, 2048) and the bytes per weight (BF16 2, FP8 1, NVFP4 0.5625 = 4.5 bits). The hardware is an
illustrative H100 SXM (989 TFLOP/s dense BF16, 3.35 TB/s HBM3). Not covered: the router, the shared
expert, all-to-all communication, kernel efficiency, overlap of loads with compute.
"""
from __future__ import annotations

from typing import Callable

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np

from mlpapers.nemotron3.configs import config
from mlpapers.widgetkit import Explorer

__all__ = ["HARDWARE", "LAYER", "BATCHES", "TOP_KS", "LATENTS", "W_BYTES", "COLOURS", "design_points",
           "MARKERS", "plot_roofline", "draw_roofline", "make_roofline_explorer"]

#: illustrative accelerator: H100 SXM, dense BF16 tensor-core peak and HBM3 bandwidth
HARDWARE = {"peak_flops": 989e12, "mem_bw": 3.35e12}
_SUPER = config("super")
#: the routed-expert shape of Nemotron 3 Super (its latent size, 1024, is the control's default)
LAYER = {"d_model": _SUPER["hidden_size"], "d_ff": _SUPER["moe_intermediate_size"],
         "n_experts": _SUPER["n_routed_experts"]}
#: batch tokens of the slider and of the dotted paths: 1 ... 65536, one step per doubling
BATCHES = tuple(2 ** k for k in range(17))
TOP_KS = (1, 2, 4, 6, 8, 16, 22, 32, 64)
#: latent sizes; 0 stands for "no latent" (only the standard design is drawn)
LATENTS = (("none", 0), ("512", 512), ("1024", 1024), ("2048", 2048))
W_BYTES = (("BF16 (2 B)", 2.0), ("FP8 (1 B)", 1.0), ("NVFP4 (0.5625 B)", 0.5625))
COLOURS = {"standard": "#7f7f7f", "latent": "#76b900"}
MARKERS = {"standard": "s", "latent": "o"}
_X_RANGE = (0.1, 3000.0)


def _label(design: str, latent_dim: int | None) -> str:
    return f"standard (experts at d = {LAYER['d_model']})" if design == "standard" else \
        f"LatentMoE (experts at l = {latent_dim})"


def design_points(moe_roofline: Callable, batch_tokens: int, top_k: int, latent_dim: int | None,
                  w_bytes: float = 2.0, hardware: dict = HARDWARE) -> dict[str, dict]:
    """``moe_roofline`` of the standard layer and, when ``latent_dim`` is set, of the LatentMoE layer.

    Args:
        moe_roofline: the student's function.
        batch_tokens, top_k: B and K; ``latent_dim``: l, or None / 0 for the standard design only.
        w_bytes: bytes per weight; activations stay BF16 (2 bytes).

    Returns:
        {"standard": dict, "latent": dict} (no "latent" key without a latent size).

    Example: ``design_points(moe_roofline, 1, 22, 1024)["latent"]["bytes"]`` -> 259345408.0.
    """
    shape = (LAYER["d_model"], LAYER["d_ff"], LAYER["n_experts"], int(top_k))
    out = {"standard": moe_roofline(int(batch_tokens), *shape, None, **hardware, w_bytes=float(w_bytes))}
    if latent_dim:
        out["latent"] = moe_roofline(int(batch_tokens), *shape, int(latent_dim), **hardware,
                                     w_bytes=float(w_bytes))
    return out


def plot_roofline(ax, moe_roofline: Callable, top_k: int, latent_dim: int | None, w_bytes: float = 2.0,
                  batches=BATCHES, marked=(), hardware: dict = HARDWARE) -> dict[str, list[dict]]:
    """Draw the roof, the ridge and each design's path over ``batches``; mark the batches in ``marked``.

    Artists carry gids: ``roof``, ``ridge``, ``path_<design>`` (one dot per batch) and
    ``point_<design>_<B>`` (a large marker per marked batch).

    Returns:
        {design: [moe_roofline result per batch]}.
    """
    peak, bw = hardware["peak_flops"], hardware["mem_bw"]
    xs = np.geomspace(*_X_RANGE, 200)
    ax.loglog(xs, np.minimum(peak, xs * bw), color="k", lw=1.4, gid="roof")
    ax.axvline(peak / bw, color="0.5", ls=":", lw=0.9, gid="ridge")
    ax.text(peak / bw * 1.08, peak * 0.02, f"ridge\n{peak / bw:.0f} FLOP/B", fontsize=7, color="0.35")
    paths: dict[str, list[dict]] = {}
    for b in batches:
        for design, res in design_points(moe_roofline, b, top_k, latent_dim, w_bytes, hardware).items():
            paths.setdefault(design, []).append(res)
    for design, results in paths.items():
        intensity = [r["intensity"] for r in results]
        attained = [r["flops"] / r["time_s"] for r in results]
        ax.plot(intensity, attained, "o-", ms=2.5, lw=0.6, color=COLOURS[design], alpha=0.7,
                gid=f"path_{design}", label=_label(design, latent_dim))
        for b in marked:
            r = results[list(batches).index(b)]
            ax.plot([r["intensity"]], [r["flops"] / r["time_s"]], MARKERS[design], ms=11 if design == "standard"
                    else 7, mfc=COLOURS[design], mec="k", mew=0.8, gid=f"point_{design}_{b}")
    ax.set_xlim(*_X_RANGE)
    ax.set_ylim(peak * 1e-4, peak * 3)
    ax.set_xlabel("arithmetic intensity I (FLOP per byte)")
    ax.set_ylabel("attained FLOP/s = FLOPs / time")
    ax.grid(True, which="major", lw=0.3, alpha=0.6)
    return paths


def _us(seconds: float) -> str:
    return f"{seconds * 1e6:,.1f} µs"


def draw_roofline(batch_tokens: int = 1, top_k: int = 22, latent_dim: int = 1024, w_bytes: float = 2.0, *,
                  moe_roofline: Callable, expected_active_experts: Callable):
    """The two-panel figure and the readout for one setting of the controls.

    ``latent_dim = 0`` draws the standard design only. Returns (matplotlib Figure, readout str).
    """
    batch_tokens, top_k = int(batch_tokens), int(top_k)
    fig, (ax, ax_t) = plt.subplots(1, 2, figsize=(8.0, 3.6), gridspec_kw={"width_ratios": [1.7, 1.0]})
    plot_roofline(ax, moe_roofline, top_k, latent_dim or None, w_bytes, marked=(batch_tokens,))
    ax.legend(fontsize=7, loc="upper left")
    ax.set_title(f"routed experts of one layer: B = {batch_tokens}, top-{top_k} of "
                 f"{LAYER['n_experts']}", fontsize=9)

    points = design_points(moe_roofline, batch_tokens, top_k, latent_dim or None, w_bytes)
    peak, bw = HARDWARE["peak_flops"], HARDWARE["mem_bw"]
    for j, (design, res) in enumerate(points.items()):
        t_mem, t_comp = res["bytes"] / bw * 1e6, res["flops"] / peak * 1e6
        ax_t.bar(2 * j - 0.35, t_mem, width=0.7, color=COLOURS[design], gid=f"memory_time_{design}")
        ax_t.bar(2 * j + 0.35, t_comp, width=0.7, color=COLOURS[design], hatch="///", edgecolor="w",
                 gid=f"compute_time_{design}")
    ax_t.set_yscale("log")
    ax_t.set_xticks([x for j in range(len(points)) for x in (2 * j - 0.35, 2 * j + 0.35)],
                    [lab for _ in points for lab in ("memory", "compute")], fontsize=7)
    for j, design in enumerate(points):
        ax_t.text(2 * j, 1.02, "standard" if design == "standard" else f"latent {latent_dim}",
                  transform=ax_t.get_xaxis_transform(), ha="center", fontsize=8, color=COLOURS[design])
    ax_t.set_ylabel("bytes / BW and FLOPs / peak (µs)")
    ax_t.grid(True, axis="y", lw=0.3, alpha=0.6)
    fig.tight_layout()

    active = expected_active_experts(batch_tokens, LAYER["n_experts"], top_k)
    w_name = dict((v, k) for k, v in W_BYTES).get(float(w_bytes), f"{w_bytes:g} B")
    lines = [f"B = {batch_tokens} tokens, top-{top_k} of {LAYER['n_experts']} experts, d = {LAYER['d_model']}, "
             f"m = {LAYER['d_ff']}, weights {w_name}",
             f"illustrative H100: {peak / 1e12:.0f} TFLOP/s, {bw / 1e12:.2f} TB/s, ridge {peak / bw:.1f} FLOP/B",
             f"E[distinct experts] = {active:.2f}, so {batch_tokens * top_k / active:.2f} tokens per active expert"]
    for design, res in points.items():
        name = "standard" if design == "standard" else f"latent {latent_dim}"
        lines.append(f"{name:>11}: {res['bytes']:>14,.0f} B {res['flops'] / 1e9:8.1f} GFLOP "
                     f"I = {res['intensity']:.2f} FLOP/B {_us(res['time_s']):>11} {res['bound']}-bound")
    if "latent" in points:
        s, l = points["standard"], points["latent"]
        lines.append(f"LatentMoE moves {s['bytes'] / l['bytes']:.2f}x fewer bytes and takes "
                     f"{s['time_s'] / l['time_s']:.2f}x less time than the standard layer")
    return fig, "\n".join(lines)


def make_roofline_explorer(moe_roofline: Callable, expected_active_experts: Callable) -> Explorer:
    """Explorer with batch tokens, top-k, latent size and weight bytes.

    Example: ``make_roofline_explorer(moe_roofline, expected_active_experts).show(interactive)``
    """
    controls = {
        "batch_tokens": widgets.SelectionSlider(options=[(str(b), b) for b in BATCHES], value=1,
                                                description="batch B", continuous_update=False),
        "top_k": widgets.SelectionSlider(options=list(TOP_KS), value=22, description="top-k",
                                         continuous_update=False),
        "latent_dim": widgets.Dropdown(options=list(LATENTS), value=1024, description="latent l"),
        "w_bytes": widgets.Dropdown(options=list(W_BYTES), value=2.0, description="weights"),
    }

    def draw(**values):
        return draw_roofline(**values, moe_roofline=moe_roofline, expected_active_experts=expected_active_experts)

    return Explorer(draw, controls, title="MoE roofline: standard experts against LatentMoE")

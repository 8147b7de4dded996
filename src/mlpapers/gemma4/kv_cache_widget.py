"""Explorer for problem 185: how many KV-cache bytes each layer of a Gemma 4 model holds.

Three panels, all computed from the student's ``kv_sharing_map`` and ``kv_cache_bytes``:

* a layer diagram of one model: cache owners filled in the colour of their attention type
  (sliding or full), KV-shared layers hatched, with an arc from every shared layer to the layer
  whose cache it reads;
* one stacked bar per model (E2B, E4B, 31B) at the chosen context length, one segment per layer;
* the total cache against context length (1K to 256K tokens, log axes), with and without the
  chosen savings.

A layer's bytes come from the student's functions only: a layer that owns a cache holds what a
one-layer model of its type holds (``kv_cache_bytes`` of that model), a layer that reads another
layer's cache holds nothing (``kv_sharing_map``); the readout says whether the bars add up to
``kv_cache_bytes`` of the whole model. The published configurations come from
:mod:`mlpapers.gemma4.configs`. Not covered: batch > 1, quantised caches, the vision and audio
towers, the cache of the 26B-A4B mixture-of-experts model (its attention is laid out like 31B's).
"""
from __future__ import annotations

from typing import Callable

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Rectangle

from mlpapers.gemma4.configs import FULL, SLIDING, config
from mlpapers.widgetkit import Explorer

__all__ = ["MODELS", "CONTEXTS", "COLOURS", "draw_layer_diagram", "layer_bytes", "draw_kv_sharing",
           "make_kv_sharing_explorer"]

MODELS = ("E2B", "E4B", "31B")
#: context lengths of the slider: 1K ... 256K tokens, one step per doubling (a log scale)
CONTEXTS = tuple(2 ** k for k in range(10, 19))
COLOURS = {SLIDING: "#6baed6", FULL: "#e6550d"}
_MIB, _GIB = 2.0 ** 20, 2.0 ** 30


def _tokens(n: int) -> str:
    return f"{n // 1024}K" if n % 1024 == 0 else str(n)


def draw_layer_diagram(ax, layer_types, src, *, title: str = "", label_every: int = 1,
                       min_reach: float = 0.3) -> None:
    """Draw one box per layer and an arc from every KV-shared layer to the layer it reads.

    Args:
        ax: matplotlib axes to draw into.
        layer_types: sequence of ``"sliding_attention"`` / ``"full_attention"``, length L.
        src: the producer map, length L (``src[i] == i`` for a layer that owns its cache).
        title: axes title.  label_every: write every n-th layer index in the boxes.
        min_reach: the least room above and below the row (keeps the axes still while arcs come and go).

    Boxes carry gids ``owner_<i>`` or ``shared_<i>``; arcs carry gid ``reads_<i>_<src>``.
    Sliding consumers' arcs go above the row, full consumers' arcs below it.
    Example: ``draw_layer_diagram(ax, types, kv_sharing_map(types, 20))``.
    """
    L = len(layer_types)
    read = {int(s) for i, s in enumerate(src) if int(s) != i}
    for i, (t, s) in enumerate(zip(layer_types, src)):
        owner = int(s) == i
        box = Rectangle((i - 0.44, -0.5), 0.88, 1.0, facecolor=COLOURS[t] if owner else "white",
                        edgecolor="black" if i in read else COLOURS[t], lw=1.6 if i in read else 0.8,
                        hatch=None if owner else "////", gid=f"{'owner' if owner else 'shared'}_{i}")
        ax.add_patch(box)
        if i % label_every == 0 or i == L - 1:
            ax.text(i, 0.0, str(i), ha="center", va="center", fontsize=6,
                    color="white" if owner and t == FULL else "black")
    reach = 0.0
    for i, (t, s) in enumerate(zip(layer_types, src)):
        s = int(s)
        if s == i:
            continue
        sign = 1.0 if t == SLIDING else -1.0          # sliding readers above the row, full readers below
        height = 0.35 + 0.07 * abs(i - s)
        u = np.linspace(0.0, 1.0, 40)
        xs = i + (s - i) * u
        ys = sign * (0.5 + height * np.sin(np.pi * u))
        ax.plot(xs[:-2], ys[:-2], color=COLOURS[t], lw=0.7, alpha=0.9, gid=f"reads_{i}_{s}")
        ax.annotate("", xy=(xs[-1], ys[-1]), xytext=(xs[-3], ys[-3]),
                    arrowprops=dict(arrowstyle="-|>", color=COLOURS[t], lw=0.7, mutation_scale=7))
        reach = max(reach, height)
    ax.set_xlim(-0.8, L - 0.2)
    room = max(reach, min_reach)
    ax.set_ylim(-0.5 - room - 0.1, 0.5 + room + 0.05)
    ax.set_yticks([])
    ax.set_xticks([])
    for side in ("left", "right", "top", "bottom"):
        ax.spines[side].set_visible(False)
    if title:
        ax.set_title(title, fontsize=9)


def layer_bytes(kv_sharing_map: Callable, kv_cache_bytes: Callable, cfg: dict, seq_len: int, *,
                share_kv: bool = True, use_sliding_window: bool = True, global_kv_tensors: int = 2):
    """Cache bytes of every layer of ``cfg`` after ``seq_len`` tokens, from the student's functions.

    A cache owner holds what a one-layer model of its type holds (``kv_cache_bytes`` of that
    model); a layer that reads another layer's cache holds nothing.

    Returns:
        (bytes per layer as an int64 array (L,), the producer map as a list).

    Example: ``layer_bytes(kv_sharing_map, kv_cache_bytes, config("E2B"), 131072)[0][14]`` -> 268435456.
    """
    types = list(cfg["layer_types"])
    src = [int(s) for s in kv_sharing_map(types, cfg["num_kv_shared_layers"] if share_kv else 0)]
    one = {t: int(kv_cache_bytes({**cfg, "layer_types": [t], "num_kv_shared_layers": 0}, seq_len,
                                 use_sliding_window=use_sliding_window, global_kv_tensors=global_kv_tensors))
           for t in set(types)}
    return np.array([one[t] if src[i] == i else 0 for i, t in enumerate(types)], dtype=np.int64), src


def draw_kv_sharing(model: str = "E2B", seq_len: int = 131072, share_kv: bool = True,
                    use_sliding_window: bool = True, global_kv_tensors: int = 2, *,
                    kv_sharing_map: Callable, kv_cache_bytes: Callable):
    """The three-panel figure and the readout for one setting of the controls.

    Args:
        model: the model of the layer diagram (one of :data:`MODELS`).
        seq_len: context length in tokens.  share_kv, use_sliding_window, global_kv_tensors:
            passed to the student's ``kv_cache_bytes`` (and ``share_kv`` to the map).
        kv_sharing_map, kv_cache_bytes: the student's functions.

    Returns:
        (matplotlib Figure, readout str).
    """
    seq_len = int(seq_len)
    kw = dict(use_sliding_window=use_sliding_window, global_kv_tensors=global_kv_tensors)
    cfgs = {m: config(m) for m in MODELS}
    per_layer, maps, totals = {}, {}, {}
    for m, cfg in cfgs.items():
        per_layer[m], maps[m] = layer_bytes(kv_sharing_map, kv_cache_bytes, cfg, seq_len, share_kv=share_kv, **kw)
        totals[m] = int(kv_cache_bytes(cfg, seq_len, share_kv=share_kv, **kw))

    fig = plt.figure(figsize=(9.0, 5.6))
    grid = fig.add_gridspec(2, 2, height_ratios=[1.1, 1.4], width_ratios=[1.0, 1.25],
                            left=0.08, right=0.98, top=0.95, bottom=0.1, hspace=0.22, wspace=0.3)
    ax = fig.add_subplot(grid[0, :])
    types = cfgs[model]["layer_types"]
    owners = sum(int(s) == i for i, s in enumerate(maps[model]))
    draw_layer_diagram(ax, types, maps[model], label_every=1 if len(types) <= 42 else 5, min_reach=1.9,
                       title=f"{model}: {owners} of {len(types)} layers own a cache"
                             + ("" if share_kv else " (KV sharing off)"))
    handles = [Rectangle((0, 0), 1, 1, facecolor=COLOURS[SLIDING]), Rectangle((0, 0), 1, 1, facecolor=COLOURS[FULL]),
               Rectangle((0, 0), 1, 1, facecolor="white", edgecolor="0.4", hatch="////")]
    ax.legend(handles, ["sliding, owns cache", "full, owns cache", "shared: reads an earlier cache"],
              fontsize=7, ncol=1, loc="lower left", frameon=False)

    ax = fig.add_subplot(grid[1, 0])
    for j, m in enumerate(MODELS):
        bottom = 0.0
        for i, (t, b) in enumerate(zip(cfgs[m]["layer_types"], per_layer[m])):
            if b == 0:
                continue
            ax.bar(j, b / _GIB, bottom=bottom, width=0.6, color=COLOURS[t], edgecolor="white", lw=0.3,
                   gid=f"segment_{m}_{i}")
            bottom += b / _GIB
        note = "" if seq_len <= cfgs[m]["max_position_embeddings"] else "\n> max context"
        ax.text(j, bottom, f"{totals[m] / _GIB:.2f} GiB{note}", ha="center", va="bottom", fontsize=7)
    ax.set_xticks(range(len(MODELS)), MODELS)
    ax.set_ylabel("KV cache (GiB, bf16)")
    ax.set_title(f"per layer, {_tokens(seq_len)} tokens", fontsize=9)
    ax.margins(y=0.18)

    ax = fig.add_subplot(grid[1, 1])
    ctx = np.array(CONTEXTS)
    for j, m in enumerate(MODELS):
        now = [kv_cache_bytes(cfgs[m], int(n), share_kv=share_kv, **kw) / _GIB for n in ctx]
        plain = [kv_cache_bytes(cfgs[m], int(n), share_kv=False, use_sliding_window=False) / _GIB for n in ctx]
        line, = ax.plot(ctx, now, "o-", ms=3, color=f"C{j}", label=m, gid=f"total_{m}")
        ax.plot(ctx, plain, "--", lw=0.9, color=line.get_color(), alpha=0.6, gid=f"plain_{m}")
    ax.axvline(seq_len, color="0.5", lw=0.8, ls=":")
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xticks(ctx, [_tokens(int(n)) for n in ctx], fontsize=7)
    ax.set_xlabel("context length (tokens)")
    ax.set_ylabel("GiB")
    ax.set_title("total; dashed: no sharing, no window", fontsize=9)
    ax.legend(fontsize=7)

    lines = []
    for m in MODELS:
        full = sum(int(b) for t, b in zip(cfgs[m]["layer_types"], per_layer[m]) if t == FULL)
        share = f"{100 * full / totals[m]:.1f} %" if totals[m] else "-"
        lines.append(f"{m:>4}: {totals[m]:>15,} B = {totals[m] / _MIB:10.1f} MiB; full layers hold {share}")
    added = all(int(per_layer[m].sum()) == totals[m] for m in MODELS)
    head = (f"{_tokens(seq_len)} = {seq_len:,} tokens, bf16, KV sharing {'on' if share_kv else 'off'}, "
            f"sliding window {'on' if use_sliding_window else 'off'},\n"
            f"full layers of K=V models (31B) store {'one tensor' if global_kv_tensors == 1 else 'K and V'}")
    tail = f"per-layer bars add up to kv_cache_bytes: {'yes' if added else 'NO'}"
    return fig, "\n".join([head, *lines, tail])


def make_kv_sharing_explorer(kv_sharing_map: Callable, kv_cache_bytes: Callable) -> Explorer:
    """Explorer with the diagram's model, a context slider (1K-256K, log) and three toggles.

    Example: ``make_kv_sharing_explorer(kv_sharing_map, kv_cache_bytes).show(interactive)``
    """
    controls = {
        "model": widgets.Dropdown(options=list(MODELS), value="E2B", description="diagram"),
        "seq_len": widgets.SelectionSlider(options=[(_tokens(n), n) for n in CONTEXTS], value=131072,
                                           description="context", continuous_update=False),
        "share_kv": widgets.Checkbox(value=True, description="KV sharing"),
        "use_sliding_window": widgets.Checkbox(value=True, description="sliding window"),
        "global_kv_tensors": widgets.ToggleButtons(options=[("K and V", 2), ("one K=V tensor", 1)], value=2,
                                                   description="31B global"),
    }

    def draw(**values):
        return draw_kv_sharing(**values, kv_sharing_map=kv_sharing_map, kv_cache_bytes=kv_cache_bytes)

    return Explorer(draw, controls, title="Gemma 4 KV cache: who owns a cache, and how many bytes")

"""Background figures of problem 185 (KV sharing across layers and what it saves).

* ``185_e2b_sharing.png``: the 35 layers of Gemma 4 E2B, which own a cache and which read one, and
  the cache bytes of every layer at 131 072 tokens with and without sharing. The producer map and
  the byte counts come from the instructor's module (``mlpapers.figures.reference``) at render time.
* ``185_decode_caches.png``: what the caches of the chapter's 7-layer toy stack hold after 9 decode
  steps with a window of 3 tokens (the rule stated in the Background, drawn token by token).
"""
from __future__ import annotations

import numpy as np

from mlpapers.figures import reference
from mlpapers.gemma4.configs import FULL, SLIDING, config
from mlpapers.gemma4.kv_cache_widget import COLOURS, draw_layer_diagram, layer_bytes

CHAPTER = "gemma4"


def _plt():
    import matplotlib.pyplot as plt
    return plt


def e2b_sharing():
    """185: E2B's producer map as a diagram, and the cache bytes per layer at 128K tokens."""
    ref, plt = reference(CHAPTER), _plt()
    cfg, T = config("E2B"), 131072
    types = cfg["layer_types"]
    shared, src = layer_bytes(ref.kv_sharing_map, ref.kv_cache_bytes, cfg, T)
    alone, _ = layer_bytes(ref.kv_sharing_map, ref.kv_cache_bytes, cfg, T, share_kv=False)
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(8.0, 4.6), gridspec_kw={"height_ratios": [1.25, 1.0]})
    draw_layer_diagram(top, types, src, title="Gemma 4 E2B: the last 20 of 35 layers read the cache of layer 13 or 14")
    from matplotlib.patches import Rectangle
    handles = [Rectangle((0, 0), 1, 1, facecolor=COLOURS[SLIDING]), Rectangle((0, 0), 1, 1, facecolor=COLOURS[FULL]),
               Rectangle((0, 0), 1, 1, facecolor="white", edgecolor="0.4", hatch="////")]
    top.legend(handles, ["sliding layer, owns a cache", "full layer, owns a cache", "KV-shared layer: no cache"],
               fontsize=7, loc="lower left", frameon=False)
    i = np.arange(len(types))
    mib = 2.0 ** 20
    bottom.bar(i, alone / mib, width=0.84, color="none", edgecolor="0.55", lw=0.8, label="without sharing")
    bottom.bar(i, shared / mib, width=0.84, color=[COLOURS[t] for t in types], label="with sharing")
    bottom.set_yscale("log")
    bottom.set_ylim(0.2, 6000)
    bottom.set_xlim(-0.8, len(types) - 0.2)
    bottom.set_xticks(i[::2], [str(k) for k in i[::2]], fontsize=7)
    bottom.set_xlabel("layer")
    bottom.set_ylabel("MiB at 131 072 tokens")
    bottom.text(1.75, 1.0, "sliding owner:\nmin(T, 512) tokens\n= 0.5 MiB", fontsize=6.5, ha="center", va="bottom")
    bottom.text(6.5, 700, "full owner: T tokens = 256 MiB", fontsize=7, ha="center")
    total_s, total_a = int(shared.sum()), int(alone.sum())
    bottom.set_title(f"cache with sharing {total_s / mib:,.0f} MiB, without {total_a / mib:,.0f} MiB (bf16)", fontsize=9)
    bottom.legend(fontsize=7, loc="upper right", ncol=2)
    fig.tight_layout()
    return fig


def decode_caches():
    """185: after 9 decode steps of the toy stack [S, S, F, S, F, S, F] (3 shared, W = 3), the tokens
    each layer's cache holds; shared layers hold none and read their producer's."""
    ref, plt = reference(CHAPTER), _plt()
    types = [SLIDING, SLIDING, FULL, SLIDING, FULL, SLIDING, FULL]
    src = ref.kv_sharing_map(types, 3)
    T, W = 9, 3
    fig, ax = plt.subplots(figsize=(6.0, 2.9))
    for i, t in enumerate(types):
        y = len(types) - 1 - i
        kept = range(T) if t == FULL else range(T - W, T)        # a sliding cache keeps the last W tokens
        for p in range(T):
            owner = src[i] == i
            held = owner and p in kept
            ax.add_patch(plt.Rectangle((p - 0.45, y - 0.4), 0.9, 0.8, lw=0.6,
                                       facecolor=COLOURS[t] if held else "white",
                                       edgecolor=COLOURS[t] if owner else "0.85",
                                       hatch=None if owner else "////"))
        kind = "sliding" if t == SLIDING else "full"
        note = (f"owns: {len(kept)} tokens" if src[i] == i else f"reads layer {src[i]}'s cache")
        ax.text(-0.8, y, f"layer {i} ({kind})", ha="right", va="center", fontsize=8)
        ax.text(T - 0.3, y, note, ha="left", va="center", fontsize=8)
    ax.axvline(T - W - 0.5, color="0.3", lw=0.8, ls="--")
    ax.text(T - W - 0.5, len(types) - 0.4, f" window W = {W}", fontsize=8, va="bottom")
    ax.set_title(f"caches after T = {T} decode steps", fontsize=9)
    ax.set_xlim(-0.6, T - 0.4)
    ax.set_ylim(-0.6, len(types) + 0.1)
    ax.set_xticks(range(T))
    ax.set_xlabel("token position (the newest is 8)")
    ax.set_yticks([])
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)
    fig.subplots_adjust(left=0.2, right=0.76, bottom=0.17, top=0.9)
    return fig


FIGURES = {
    "185_e2b_sharing.png": e2b_sharing,
    "185_decode_caches.png": decode_caches,
}

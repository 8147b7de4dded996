"""Figure of problem 406 (decode cache of a hybrid stack), shown in its Background before the task.

The layer strips only need the published patterns. The cache curves are graded answers, so they
come from the instructor's module through ``mlpapers.figures.reference("nemotron3")`` at render
time, never from package code.
"""
from __future__ import annotations

import numpy as np

from mlpapers.nemotron3.cache_widget import LAYER_COLOURS, LAYER_NAMES, PART_COLOURS, draw_pattern_strip
from mlpapers.nemotron3.configs import config


def hybrid_stack():
    """406: the layer patterns of Nano and Super, and Super's cache against context length."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle
    from mlpapers.figures import reference
    ref = reference("nemotron3")

    nano, sup = config("nano"), config("super")
    fig = plt.figure(figsize=(7.6, 5.4))
    grid = fig.add_gridspec(3, 1, height_ratios=[0.55, 0.55, 2.2], left=0.1, right=0.97, top=0.95,
                            bottom=0.1, hspace=0.45)
    for row, (name, cfg) in enumerate((("Nano", nano), ("Super", sup))):
        ax = fig.add_subplot(grid[row])
        pattern = cfg["hybrid_override_pattern"]
        counts = ", ".join(f"{pattern.count(ch)} {LAYER_NAMES[ch]}" for ch in "ME*")
        draw_pattern_strip(ax, pattern, title=f"Nemotron 3 {name}: {len(pattern)} layers = {counts} "
                                              "(attention layer indices in orange)")
        ax.set_xlim(-0.5, 88.5)
        if row == 0:
            handles = [Rectangle((0, 0), 1, 1, facecolor=LAYER_COLOURS[ch]) for ch in "ME*"]
            ax.legend(handles, [f"{ch}  {LAYER_NAMES[ch]}" for ch in "ME*"], fontsize=7, ncol=3,
                      loc="center right", bbox_to_anchor=(1.0, 0.4), frameon=False)

    ax = fig.add_subplot(grid[2])
    ctx = 2.0 ** np.arange(8, 21)
    gib = 2.0 ** 30
    hybrid = [ref.decode_cache_bytes(sup, int(n)) for n in ctx]
    dense = [ref.decode_cache_bytes(ref.attention_only_config(sup), int(n))["total"] for n in ctx]
    state = hybrid[0]["ssm"] + hybrid[0]["conv"]
    ax.loglog(ctx, [h["kv"] / gib for h in hybrid], "-", color=PART_COLOURS["kv"], lw=1.3,
              label="Super: KV cache of its 8 attention layers")
    ax.loglog(ctx, [state / gib] * len(ctx), "-", color=PART_COLOURS["ssm"], lw=1.3,
              label="Super: state of its 40 Mamba-2 layers (SSM + conv)")
    ax.loglog(ctx, [h["total"] / gib for h in hybrid], "o-", ms=3, color="black", lw=1.0,
              label="Super: total")
    ax.loglog(ctx, np.array(dense) / gib, "s--", ms=3, color="0.5", lw=1.0,
              label="Super with every M turned into * (48 attention layers)")
    crossing = state / ref.kv_cache_bytes(sup, 1)
    ax.axvline(crossing, color="0.3", ls=":", lw=0.9)
    ax.text(crossing * 1.1, 2e-3, f"L* = {crossing:,.0f} tokens:\nKV = state", fontsize=7, color="0.2")
    ratio = dense[-1] / hybrid[-1]["total"]
    ax.annotate(f"{ratio:.2f}x", xy=(ctx[-1], hybrid[-1]["total"] / gib), xytext=(ctx[-1] / 3.2, 14),
                fontsize=8, arrowprops=dict(arrowstyle="-", color="0.5", lw=0.7))
    ax.set_xticks(ctx[::2], ["256", "1K", "4K", "16K", "64K", "256K", "1M"])
    ax.set_xticks([], minor=True)
    ax.set_xlabel("context length (tokens), batch 1; KV bf16, SSM state fp32, conv state bf16")
    ax.set_ylabel("decode cache (GiB)")
    ax.set_ylim(1e-3, 200)
    ax.grid(True, lw=0.3, alpha=0.5)
    ax.legend(fontsize=7, loc="upper left", frameon=False)
    return fig


FIGURES = {
    "406_hybrid_stack.png": hybrid_stack,
}

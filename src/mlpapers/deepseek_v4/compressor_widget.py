"""Explorer for problem 371: which tokens feed each compressed KV entry, and who may see it.

Three panels, all computed from the student's ``csa_compress``, ``hca_compress`` and
``compressed_visibility`` on a small random layer (d = 3, c = 3, fixed seed):

* a strip of n tokens with one coloured bracket per compressed entry, CSA above (entry i should
  read blocks i - 1 and i, so brackets overlap) and HCA below (disjoint blocks); a bracket spans
  the tokens whose pooling weight is non-zero;
* a heat-map of the pooling weights of one channel (rows: entries, columns: tokens) for CSA or HCA;
* the (T x entries) visibility mask for queries t = 0 .. n - 1.

The pooling weights are read out of the student's compressor, not recomputed here: the layer's
hidden states get n extra one-hot columns, the value projections read only those columns and the
gate projections only the original ones, all copied from the chosen channel. Output channel j of
entry i is then exactly the weight of token j in entry i. Not covered: RMSNorm and RoPE after
compression, the indexer's own compressor (same operation, c^I = 128), the 128-token window.
"""
from __future__ import annotations

from typing import Callable

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Rectangle

from mlpapers.widgetkit import Explorer

__all__ = ["toy_layer", "pooling_weights", "draw_compressors", "make_compressor_explorer"]

D_MODEL, CHANNELS, MAX_TOKENS, MAX_M = 3, 3, 32, 8
_COLOURS = plt.get_cmap("tab10").colors


def toy_layer(seed: int = 0) -> dict:
    """A random compressor layer: hidden states (32, 3), projections (3, 3), biases (8, 3).

    Keys ``H, W_aKV, W_bKV, W_aZ, W_bZ, B_a, B_b``; HCA uses the a-series (``W_aKV, W_aZ, B_a``).
    Example: ``toy_layer(0)["B_a"].shape -> (8, 3)``.
    """
    rng = np.random.default_rng(seed)
    H = rng.standard_normal((MAX_TOKENS, D_MODEL))
    W = {name: rng.standard_normal((D_MODEL, CHANNELS)) for name in ("W_aKV", "W_bKV", "W_aZ", "W_bZ")}
    B = {name: 0.7 * rng.standard_normal((MAX_M, CHANNELS)) for name in ("B_a", "B_b")}
    return {"H": H, **W, **B}


def pooling_weights(compress: Callable, layer: dict, n: int, m: int, channel: int, mode: str) -> np.ndarray:
    """Weights (entries, n) of channel ``channel``, read out of ``compress`` (CSA or HCA).

    Row i, column j is the weight token j gets in entry i: the value projections are one-hot
    columns appended to H, so the compressor sums the weights themselves.
    Example: ``pooling_weights(hca_compress, toy_layer(0), 8, 4, 0, "hca").sum(axis=1) -> [1., 1.]``.
    """
    H = layer["H"][:n]
    aug_H = np.hstack([H, np.eye(n)])                                     # (n, d + n)
    one_hot = np.vstack([np.zeros((D_MODEL, n)), np.eye(n)])              # value: token j -> channel j
    def gate(W):                                                         # gate of `channel`, n copies
        return np.vstack([np.repeat(W[:, channel:channel + 1], n, axis=1), np.zeros((n, n))])
    def bias(B):
        return np.repeat(B[:m, channel:channel + 1], n, axis=1)          # (m, n)
    if mode == "csa":
        out = compress(aug_H, one_hot, one_hot, gate(layer["W_aZ"]), gate(layer["W_bZ"]),
                       bias(layer["B_a"]), bias(layer["B_b"]), m)
    else:
        out = compress(aug_H, one_hot, gate(layer["W_aZ"]), bias(layer["B_a"]), m)
    return np.asarray(out, dtype=float).reshape(-1, n)


def _support(row: np.ndarray) -> tuple[int, int] | None:
    nz = np.flatnonzero(np.abs(row) > 1e-12)
    return (int(nz[0]), int(nz[-1])) if nz.size else None


def _brackets(ax, weights: np.ndarray, *, up: bool, prefix: str) -> list[tuple[int, int] | None]:
    spans = []
    for i, row in enumerate(weights):
        span = _support(row)
        spans.append(span)
        if span is None:
            continue
        first, last = span
        level = i % 3
        y = (0.7 + 0.35 * level) if up else -(0.7 + 0.35 * level)
        tick = -0.15 if up else 0.15
        ax.plot([first - 0.4, first - 0.4, last + 0.4, last + 0.4], [y + tick, y, y, y + tick],
                color=_COLOURS[i % len(_COLOURS)], lw=1.8, gid=f"{prefix}_bracket_{i}")
    return spans


def draw_compressors(*, csa_compress: Callable, hca_compress: Callable, compressed_visibility: Callable,
                     m: int = 4, n: int = 16, mode: str = "csa", channel: int = 0, seed: int = 0):
    """Token strip with brackets, pooling-weight heat-map and visibility mask; ``(figure, readout)``."""
    m, n, channel = int(m), int(n), int(channel)
    layer = toy_layer(seed)
    w_csa = pooling_weights(csa_compress, layer, n, m, channel, "csa")
    w_hca = pooling_weights(hca_compress, layer, n, m, channel, "hca")
    n_entries = n // m
    mask = np.asarray(compressed_visibility(n, n_entries, m), dtype=bool).reshape(n, n_entries)

    fig = plt.figure(figsize=(6.4, 5.0))
    strip = fig.add_axes([0.1, 0.56, 0.88, 0.38])
    for j in range(n):
        tail = j >= n_entries * m
        strip.add_patch(Rectangle((j - 0.45, -0.3), 0.9, 0.6, facecolor="0.85" if tail else "white",
                                  edgecolor="0.35", lw=0.6))
        if n <= 24 or j % 2 == 0:
            strip.text(j, 0, str(j), ha="center", va="center", fontsize=6)
    csa_spans = _brackets(strip, w_csa, up=True, prefix="csa")
    hca_spans = _brackets(strip, w_hca, up=False, prefix="hca")
    strip.set_xlim(-0.7, max(n, 4) - 0.3)
    strip.set_ylim(-1.65, 1.65)
    strip.axis("off")
    fig.text(0.01, 0.83, f"CSA\nm = {m}", fontsize=8, va="center")
    fig.text(0.01, 0.66, f"HCA\nm = {m}", fontsize=8, va="center")
    strip.set_title(f"n = {n} tokens, {n_entries} entries per compressor (grey: tail, not compressed)",
                    fontsize=8)

    weights = w_csa if mode == "csa" else w_hca
    heat = fig.add_axes([0.1, 0.08, 0.5, 0.38])
    if weights.size:
        heat.imshow(weights, cmap="viridis", vmin=0, vmax=max(float(weights.max()), 1e-9), aspect="auto",
                    interpolation="nearest", gid="weights")
    heat.set_xlim(-0.5, n - 0.5)
    heat.set_ylim(max(n_entries, 1) - 0.5, -0.5)
    heat.set_yticks(range(0, n_entries, max(1, n_entries // 8)))
    heat.set_xlabel("token j", fontsize=7)
    heat.set_ylabel("entry i", fontsize=7)
    heat.tick_params(labelsize=6)
    heat.set_title(f"{mode.upper()} pooling weights, channel {channel}", fontsize=8)

    vis = fig.add_axes([0.7, 0.08, 0.27, 0.38])
    if mask.size:
        vis.imshow(mask.astype(float), cmap="Greens", vmin=0, vmax=1.4, aspect="auto",
                   interpolation="nearest", gid="visibility")
    vis.set_xlim(-0.5, max(n_entries, 1) - 0.5)
    vis.set_xticks(range(0, n_entries, max(1, n_entries // 6)))
    vis.set_ylim(n - 0.5, -0.5)
    vis.set_xlabel("entry i", fontsize=7)
    vis.set_ylabel("query t", fontsize=7)
    vis.tick_params(labelsize=6)
    vis.set_title("visible (T × entries)", fontsize=8)

    sums = weights.sum(axis=1) if weights.size else np.zeros(0)
    overlap = any(a is not None and b is not None and b[0] <= a[1] for a, b in zip(csa_spans, csa_spans[1:]))
    first_seen = [int(np.argmax(mask[:, i])) if mask[:, i].any() else None for i in range(n_entries)]
    lines = [f"n = {n}, m = {m}: {n_entries} entries, {n - n_entries * m} tail token(s) not compressed"]
    if n_entries:
        shown = ", ".join(f"{i}: {s[0]}–{s[1]}" if s else f"{i}: none" for i, s in enumerate(csa_spans[:6]))
        lines.append(f"CSA entry windows (tokens) {shown}{' …' if n_entries > 6 else ''}; "
                     f"neighbours overlap: {'yes' if overlap else 'no'}")
        shown = ", ".join(f"{i}: {s[0]}–{s[1]}" if s else f"{i}: none" for i, s in enumerate(hca_spans[:6]))
        lines.append(f"HCA entry windows (tokens) {shown}{' …' if n_entries > 6 else ''}")
        lines.append(f"{mode.upper()} weights of channel {channel} per entry sum to {sums.min():.6f} … "
                     f"{sums.max():.6f} (should be 1)")
        lines.append("entry i first visible to query t = "
                     + ", ".join("never" if t is None else str(t) for t in first_seen[:8])
                     + (" …" if n_entries > 8 else "") + f"  (m(i+1) − 1 = {m - 1}, {2 * m - 1}, …)")
    else:
        lines.append("no complete block yet: nothing is compressed")
    return fig, "\n".join(lines)


def make_compressor_explorer(csa_compress: Callable, hca_compress: Callable, compressed_visibility: Callable,
                             seed: int = 0) -> Explorer:
    """Explorer with sliders ``m`` (1 … 8) and ``n`` (1 … 32), a CSA/HCA switch and a channel slider."""
    controls = {
        "m": widgets.IntSlider(value=4, min=1, max=MAX_M, description="m", continuous_update=False),
        "n": widgets.IntSlider(value=16, min=1, max=MAX_TOKENS, description="n tokens", continuous_update=False),
        "mode": widgets.ToggleButtons(options=[("CSA", "csa"), ("HCA", "hca")], value="csa",
                                      description="weights"),
        "channel": widgets.IntSlider(value=0, min=0, max=CHANNELS - 1, description="channel",
                                     continuous_update=False),
    }
    return Explorer(lambda **v: draw_compressors(csa_compress=csa_compress, hca_compress=hca_compress,
                                                 compressed_visibility=compressed_visibility, seed=seed, **v),
                    controls, title="CSA and HCA compressors: windows, weights, visibility")

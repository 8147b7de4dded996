"""Figure of problem 371 (the CSA and HCA compressors), shown in its Background before the task.

A strip of 16 tokens with one bracket per compressed entry: CSA with m = 4 (entry i reads blocks
i - 1 and i, so neighbouring brackets overlap) above the strip, HCA with m' = 8 (disjoint blocks)
below it; underneath, the visibility mask of the CSA entries for queries t = 0 .. 15. The mask is
the instructor's ``compressed_visibility``, loaded through ``mlpapers.figures.reference`` when the
figure is rendered; the brackets are the index ranges of the Background's equations.
"""
from __future__ import annotations

import numpy as np

N_TOKENS, M_CSA, M_HCA = 16, 4, 8
CSA_COLOURS = ("#1b9e77", "#d95f02", "#7570b3", "#e7298a")
HCA_COLOURS = ("#66a61e", "#e6ab02")


def bracket(ax, first: int, last: int, y: float, colour: str, *, up: bool, label: str = "",
            gid: str | None = None) -> None:
    """Draw a square bracket over tokens ``first .. last`` at height ``y`` (ticks toward the strip).

    Example: ``bracket(ax, 0, 7, 1.4, "red", up=True, label="entry 1")``.
    """
    tick = -0.18 if up else 0.18
    xs = [first - 0.4, first - 0.4, last + 0.4, last + 0.4]
    ys = [y + tick, y, y, y + tick]
    ax.plot(xs, ys, color=colour, lw=2.0, solid_capstyle="butt", gid=gid)
    if label:
        ax.text((first + last) / 2, y + (0.08 if up else -0.08), label, color=colour, fontsize=7,
                ha="center", va="bottom" if up else "top")


def token_strip(ax, n: int, *, y: float = 0.0, highlight_tail: int = 0) -> None:
    """Draw ``n`` unit boxes labelled 0 .. n-1 centred on y; the last ``highlight_tail`` are grey."""
    from matplotlib.patches import Rectangle

    for j in range(n):
        tail = j >= n - highlight_tail
        ax.add_patch(Rectangle((j - 0.45, y - 0.35), 0.9, 0.7, facecolor="0.88" if tail else "white",
                               edgecolor="0.35", lw=0.7))
        ax.text(j, y, str(j), ha="center", va="center", fontsize=7)


def compressor_windows():
    """371: which tokens feed each CSA (m = 4) and HCA (m' = 8) entry, and the CSA visibility mask."""
    import matplotlib.pyplot as plt

    from mlpapers.figures import reference

    ref = reference("deepseek_v4")
    n_csa = N_TOKENS // M_CSA
    mask = np.asarray(ref.compressed_visibility(N_TOKENS, n_csa, M_CSA))      # (T, entries) bool

    fig = plt.figure(figsize=(6.4, 4.6))
    left, width = 0.13, 0.85                             # strip and mask share the token axis
    ax = fig.add_axes([left, 0.42, width, 0.5])
    token_strip(ax, N_TOKENS)
    for i in range(n_csa):
        first = max(0, M_CSA * (i - 1))                  # b-series: block i - 1 (none for i = 0)
        last = M_CSA * (i + 1) - 1                       # a-series: block i
        y = 0.75 + 0.55 * (i % 2)
        label = f"entry {i}: tokens {first}–{last}" if i else "entry 0: tokens 0–3"
        bracket(ax, first, last, y, CSA_COLOURS[i], up=True, label=label)
    for i in range(N_TOKENS // M_HCA):
        first, last = M_HCA * i, M_HCA * (i + 1) - 1
        bracket(ax, first, last, -0.75, HCA_COLOURS[i], up=False, label=f"entry {i}: tokens {first}–{last}")
    fig.text(0.01, 0.80, "CSA\nm = 4\n(overlapping)", ha="left", va="center", fontsize=8)
    fig.text(0.01, 0.55, "HCA\nm' = 8\n(disjoint)", ha="left", va="center", fontsize=8)
    ax.set_xlim(-0.7, N_TOKENS - 0.3)
    ax.set_ylim(-1.3, 1.75)
    ax.axis("off")
    fig.suptitle("Which tokens feed each compressed entry, and when a query may see it", fontsize=9, y=0.985)

    mx = fig.add_axes([left, 0.08, width, 0.24])
    mx.imshow(mask.T, cmap="Greens", vmin=0, vmax=1.6, aspect="auto",
              extent=(-0.5, N_TOKENS - 0.5, n_csa - 0.5, -0.5))
    mx.set_xlim(-0.7, N_TOKENS - 0.3)
    for i in range(n_csa):
        t0 = M_CSA * (i + 1) - 1
        mx.plot([t0 - 0.5, t0 - 0.5], [i - 0.5, i + 0.5], color=CSA_COLOURS[i], lw=2)
    mx.set_xticks(range(N_TOKENS))
    mx.set_yticks(range(n_csa))
    mx.tick_params(labelsize=7)
    mx.set_xlabel("query token t", fontsize=8)
    mx.set_ylabel("CSA entry i", fontsize=8)
    mx.set_title("CSA visibility (shaded = visible): entry i appears at query t = m(i + 1) − 1", fontsize=8)
    return fig


FIGURES = {"371_compressor_windows.png": compressor_windows}

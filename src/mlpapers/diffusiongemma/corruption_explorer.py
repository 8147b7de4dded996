"""Widget of problem 413: uniform-state against MASK corruption of one sentence.

The forward process of discrete diffusion replaces each token, with probability t, by a draw from
the invariant distribution pi: a uniform random token (DiffusionGemma, UDLM, Duo) or the MASK
symbol (MDLM, LLaDA). The widget corrupts a 24-token sentence of the chapter's toy language with
the student's ``corrupt`` at a fixed seed, so the uniform draws and the noise tokens are common
random numbers: moving t only grows the corrupted set. Cells that were corrupted and changed are
red, cells corrupted *into themselves* are orange (only uniform noise can do that), MASK is drawn
as a shaded block. Below, the student's ``expected_changed_fraction`` against t for both processes,
with the changed fraction of the displayed sentence as a dot.
"""
from __future__ import annotations

from typing import Callable

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Rectangle

from mlpapers.diffusiongemma.toy_denoiser import ToyWordDenoiser
from mlpapers.widgetkit import Explorer

__all__ = ["draw_corruption", "corruption_explorer"]

SENTENCE = "_thread_blocks_jumping_b"
MASK_GLYPH = "\u2592"
CHANGED, SELF, CLEAN = "#f4a6a6", "#f8c77e", "white"


def draw_corruption(corrupt: Callable, expected_changed_fraction: Callable, t: float, process: str,
                    *, text: str = SENTENCE, seed: int = 0):
    """Corrupt ``text`` at time ``t`` with the student's ``corrupt`` and draw it.

    Args:
        corrupt: the student's ``corrupt(x0, t, vocab_size, rng, process)``.
        expected_changed_fraction: the student's ``expected_changed_fraction(t, vocab_size, process)``.
        t: corruption time in [0, 1].
        process: "uniform" or "mask".
        text: a sentence of the toy language (letters of its vocabulary).
        seed: seed of ``np.random.default_rng`` (the same for every t: common random numbers).

    Returns:
        (figure, readout). The first axes holds 2·len(text) cells with gid "clean-cell" /
        "noisy-cell"; noisy cells are coloured red (changed), orange (corrupted into itself) or white.
    """
    model = ToyWordDenoiser()
    itos, V = model.itos, model.vocab_size
    x0 = model.encode_text(text)
    xt, corrupted = corrupt(x0, t, V, np.random.default_rng(seed), process)
    xt, corrupted = np.asarray(xt), np.asarray(corrupted, dtype=bool)
    changed = xt != x0
    L = len(x0)

    fig = plt.figure(figsize=(6.4, 3.6))
    grid = fig.add_gridspec(2, 1, height_ratios=[1.0, 1.8], hspace=0.3)
    ax = fig.add_subplot(grid[0])
    for l in range(L):
        ax.add_patch(Rectangle((l + 0.05, 1.1), 0.9, 0.9, facecolor=CLEAN, edgecolor="#888888", lw=0.6,
                               gid="clean-cell"))
        ax.text(l + 0.5, 1.55, itos[x0[l]], ha="center", va="center", fontsize=8, family="monospace")
        face = CHANGED if changed[l] else (SELF if corrupted[l] else CLEAN)
        ax.add_patch(Rectangle((l + 0.05, 0.0), 0.9, 0.9, facecolor=face, edgecolor="#888888", lw=0.6,
                               gid="noisy-cell"))
        label = MASK_GLYPH if xt[l] == V else (itos[xt[l]] if 0 <= xt[l] < V else "?")
        ax.text(l + 0.5, 0.45, label, ha="center", va="center", fontsize=8, family="monospace")
    ax.text(-0.3, 1.55, "x\u2080", ha="right", va="center", fontsize=9)
    ax.text(-0.3, 0.45, "x\u209c", ha="right", va="center", fontsize=9)
    ax.set_xlim(-1.5, L + 0.1)
    ax.set_ylim(-0.1, 2.1)
    ax.set_aspect("equal")
    ax.axis("off")
    n_corr, n_changed = int(corrupted.sum()), int(changed.sum())
    ax.set_title(f"{process} noise, t = {t:.2f}: corrupted {n_corr}, changed {n_changed} "
                 f"(orange = corrupted into itself)", fontsize=8)

    curve = fig.add_subplot(grid[1])
    ts = np.linspace(0.0, 1.0, 51)
    for proc, colour in (("uniform", "#1f77b4"), ("mask", "#d62728")):
        ys = [expected_changed_fraction(float(s), V, proc) for s in ts]
        label = "uniform: t(1 - 1/V)" if proc == "uniform" else "mask: t"
        curve.plot(ts, ys, color=colour, lw=1.5 if proc == process else 0.8, label=label)
    curve.plot([t], [n_changed / L], "o", color="black", ms=5, label="this sentence", gid="empirical")
    curve.set_xlabel("t", fontsize=8)
    curve.set_ylabel("P(x_t != x_0)", fontsize=8)
    curve.tick_params(labelsize=7)
    curve.legend(fontsize=7, loc="upper left")
    curve.set_xlim(0, 1)
    curve.set_ylim(0, 1.02)
    expected = expected_changed_fraction(float(t), V, process)
    readout = (f"t = {t:.2f} ({process}): corrupted {n_corr}/{L}, changed {n_changed}/{L} = "
               f"{n_changed / L:.3f}; expected changed fraction {float(expected):.4f} (V = {V})")
    plt.close(fig)
    return fig, readout


def corruption_explorer(corrupt: Callable, expected_changed_fraction: Callable, *, seed: int = 0,
                        t: float = 0.4, process: str = "uniform") -> Explorer:
    """Explorer with a t slider and a uniform/mask toggle over :func:`draw_corruption` (problem 413).

    Example:
        >>> corruption_explorer(corrupt, expected_changed_fraction).show(interactive)
    """
    controls = {
        "t": widgets.FloatSlider(value=t, min=0.0, max=1.0, step=0.01, description="t"),
        "process": widgets.ToggleButtons(options=["uniform", "mask"], value=process, description="noise"),
    }

    def draw(t, process):
        return draw_corruption(corrupt, expected_changed_fraction, t, process, seed=seed)

    return Explorer(draw, controls, title="Forward corruption q(x_t | x_0)")

"""Widget of problem 414: entropy-bounded acceptance on one denoiser step of the toy language.

The denoiser (the chapter's exact toy, prompt "jumping", temperature 0.8 as on DiffusionGemma's
first step) predicts a 16-token canvas from uniform noise. The student's ``token_entropy`` gives the
per-token entropies; sorted ascending they are drawn as bars, with the entropy *already spent*
before each token (the inclusive running sum minus the token itself) as a step line and the budget
gamma as a horizontal line: every bar whose step lies under the line is accepted (green). Beneath,
the student's ``denoise_step`` turns the canvas into the next one: accepted positions take the
sampled token, rejected positions get fresh uniform noise (grey italics). The seed is fixed, so
moving gamma changes only which positions are accepted, never the draws.
"""
from __future__ import annotations

from typing import Callable

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Rectangle

from mlpapers.diffusiongemma.toy_denoiser import ToyWordDenoiser
from mlpapers.widgetkit import Explorer

__all__ = ["toy_first_step", "draw_acceptance", "acceptance_explorer"]

ACCEPT, REJECT = "#5ec962", "#b8b8b8"


def toy_first_step(canvas_len: int = 16, seed: int = 0, prompt: str = "jumping", temperature: float = 0.8):
    """Shaped logits of the toy denoiser's first step from a uniform canvas.

    Returns:
        (canvas int64 (1, L), logits float64 (1, L, V), itos list of str).
    """
    model = ToyWordDenoiser()
    model.encode(model.encode_text(prompt))
    canvas = np.random.default_rng(seed).integers(0, model.vocab_size, size=(1, canvas_len))
    logits = model.denoise(canvas, None) / temperature
    return canvas, logits, list(model.itos)


def draw_acceptance(token_entropy: Callable, denoise_step: Callable, gamma: float, *, canvas, logits,
                    itos, seed: int = 0):
    """Draw sorted entropies against the budget gamma and the canvas before -> sampled -> next.

    Args:
        token_entropy: the student's ``token_entropy(logits) -> (B, L)``.
        denoise_step: the student's ``denoise_step(logits, gamma, rng) -> (next, accepted, sampled)``.
        gamma: entropy budget in nats.
        canvas: int (1, L), the canvas the logits were computed from.
        logits: float (1, L, V), shaped logits.
        itos: token id -> text.
        seed: seed of the step's generator (fixed: common random numbers across gamma).

    Returns:
        (figure, readout). The first axes holds L bars (gid "entropy-bar"), green where accepted.
    """
    entropy = np.asarray(token_entropy(logits))[0]
    nxt, accepted, sampled = (np.asarray(a)[0] for a in denoise_step(logits, gamma, np.random.default_rng(seed)))
    L = entropy.shape[0]
    order = np.argsort(entropy, kind="stable")
    h = entropy[order]
    spent = np.cumsum(h) - h                                   # entropy accepted before each sorted token

    fig = plt.figure(figsize=(6.4, 4.6))
    grid = fig.add_gridspec(2, 1, height_ratios=[1.5, 1.0], hspace=0.35)
    ax = fig.add_subplot(grid[0])
    xs = np.arange(L)
    for x, pos in zip(xs, order):
        ax.bar(x, entropy[pos], color=ACCEPT if accepted[pos] else REJECT, gid="entropy-bar")
    ax.step(xs, spent, where="mid", color="black", lw=1.2, label="entropy spent before the token")
    ax.axhline(gamma, color="#d62728", ls="--", lw=1.2, label=f"\u03b3 = {gamma:.2f}")
    ax.set_xticks(xs, [str(p) for p in order], fontsize=7)
    ax.set_xlabel("position, sorted by entropy", fontsize=8)
    ax.set_ylabel("nats", fontsize=8)
    ax.tick_params(labelsize=7)
    ax.set_ylim(0, max(float(h.max()), gamma) * 1.6 + 0.05)        # the spent line may leave the top
    ax.legend(fontsize=7, loc="upper left")
    k = int(accepted.sum())
    ax.set_title(f"accepted {k}/{L} tokens, joint entropy {float(entropy[accepted].sum()):.3f} nats", fontsize=9)

    cells = fig.add_subplot(grid[1])
    rows = (("canvas", canvas[0], None), ("sampled", sampled, None), ("next", nxt, accepted))
    for r, (name, tokens, keep) in enumerate(rows):
        y = -1.2 * r
        cells.text(-0.3, y + 0.45, name, ha="right", va="center", fontsize=8)
        for l in range(L):
            fresh = keep is not None and not keep[l]
            face = "#e4e4e4" if fresh else ("white" if keep is None else "#d8f3d0")
            cells.add_patch(Rectangle((l + 0.05, y), 0.9, 0.9, facecolor=face, edgecolor="#888888", lw=0.6))
            cells.text(l + 0.5, y + 0.45, itos[tokens[l]], ha="center", va="center", fontsize=8,
                       family="monospace", color="#808080" if fresh else "black",
                       style="italic" if fresh else "normal")
    cells.set_xlim(-2.2, L + 0.1)
    cells.set_ylim(-2.5, 1.0)
    cells.set_aspect("equal")
    cells.axis("off")
    readout = (f"gamma = {gamma:.2f}: accepted {k}/{L} (positions {sorted(int(p) for p in np.flatnonzero(accepted))}); "
               f"the other {L - k} positions get fresh uniform noise")
    plt.close(fig)
    return fig, readout


def acceptance_explorer(token_entropy: Callable, denoise_step: Callable, *, seed: int = 0,
                        gamma: float = 0.1) -> Explorer:
    """Explorer with a gamma slider over :func:`draw_acceptance` on the toy denoiser (problem 414).

    Example:
        >>> acceptance_explorer(token_entropy, denoise_step).show(interactive)
    """
    canvas, logits, itos = toy_first_step(seed=seed)
    controls = {"gamma": widgets.FloatSlider(value=gamma, min=0.0, max=2.0, step=0.01, description="\u03b3")}

    def draw(gamma):
        return draw_acceptance(token_entropy, denoise_step, gamma, canvas=canvas, logits=logits, itos=itos,
                               seed=seed)

    return Explorer(draw, controls, title="Entropy-bounded acceptance")

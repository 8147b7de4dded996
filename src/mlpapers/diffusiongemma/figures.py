"""The Background figures of problems 413-418, rendered by ``python -m mlpapers figures``.

Every answer a picture needs (a corrupted sentence, an accepted set, a trace, a mask) comes from the
instructor's module through ``mlpapers.figures.reference``, loaded when the image is rendered; this
installed module holds no solution.
"""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from mlpapers.figures import reference  # noqa: E402
from mlpapers.diffusiongemma.denoising_viewer import plot_denoising_filmstrip  # noqa: E402
from mlpapers.diffusiongemma.mask_explorer import draw_block_mask  # noqa: E402
from mlpapers.diffusiongemma.target_denoiser import TargetDenoiser  # noqa: E402
from mlpapers.diffusiongemma.toy_denoiser import ToyWordDenoiser  # noqa: E402

_REF = "diffusiongemma"
_CHANGED, _SELF, _MASKED = "#f4a6a6", "#f8c77e", "#9e9e9e"


def corruption_over_t():
    """413: one sentence corrupted at t = 0, 0.25, ..., 1 with common random numbers, both processes."""
    ref, model = reference(_REF), ToyWordDenoiser()
    x0 = model.encode_text("_thread_blocks_jum")
    V, L, times = model.vocab_size, len(x0), (0.0, 0.25, 0.5, 0.75, 1.0)
    fig, axes = plt.subplots(1, 2, figsize=(7.6, 2.9))
    for ax, process in zip(axes, ("uniform", "mask")):
        for r, t in enumerate(times):
            xt, corrupted = ref.corrupt(x0, t, V, np.random.default_rng(3), process)
            for l in range(L):
                colour = "white"
                if corrupted[l]:
                    colour = _SELF if xt[l] == x0[l] else (_MASKED if process == "mask" else _CHANGED)
                ax.add_patch(plt.Rectangle((l, -r), 1, 0.9, facecolor=colour, edgecolor="#bbbbbb", lw=0.5))
                text = "\u2592" if xt[l] == V else model.itos[xt[l]]
                ax.text(l + 0.5, -r + 0.45, text, ha="center", va="center", fontsize=8, family="monospace")
            ax.text(-0.3, -r + 0.45, f"t = {t:.2f}", ha="right", va="center", fontsize=8)
        ax.set_xlim(-3.2, L)
        ax.set_ylim(-len(times) + 0.8, 1.0)
        ax.axis("off")
        ax.set_title(f"{process}: corrupted \u2192 " + ("random id" if process == "uniform" else "MASK \u2592"),
                     fontsize=9)
    fig.suptitle("One sentence, same coin flips u for every t: the corrupted set only grows with t\n"
                 "red = changed, orange = corrupted into itself (uniform only), grey = MASK", fontsize=8.5)
    fig.tight_layout()
    return fig


def entropy_budget():
    """414: the worked example's sorted entropies, the entropy spent before each, and gamma."""
    ref = reference(_REF)
    h = np.array([0.3, 0.02, 0.5, 0.01, 0.04])
    gamma = 0.1
    order = np.argsort(h, kind="stable")
    accepted = ref.entropy_bounded_accept(h, gamma)[order]
    hs = h[order]
    before = np.concatenate([[0.0], np.cumsum(hs)[:-1]])
    fig, ax = plt.subplots(figsize=(5.6, 3.0))
    x = np.arange(len(h))
    ax.bar(x, hs, color=["#5ec962" if a else "#b8b8b8" for a in accepted], label="own entropy $H_{(k)}$")
    ax.step(x, before, where="mid", color="black", lw=1.5, label="spent before: $\\sum_{j<k} H_{(j)}$")
    ax.plot(x, before, "ko", ms=4)
    ax.axhline(gamma, color="red", ls="--", lw=1.2, label=f"budget $\\gamma$ = {gamma}")
    ax.set_xticks(x, [f"pos {i}\nH={h[i]:g}" for i in order], fontsize=8)
    ax.set_xlabel("positions sorted by entropy (green = accepted)", fontsize=9)
    ax.set_ylabel("nats", fontsize=9)
    ax.set_title("Entropy-bounded acceptance: pos 0 (H = 0.3 > \u03b3) is accepted,\n"
                 "because only 0.07 nats were spent before it", fontsize=9)
    ax.legend(fontsize=7.5, loc="upper left")
    fig.tight_layout()
    return fig


def canvas_unmasking():
    """415: the worked example of the loop, one row per step, with the stop rule firing at step 5."""
    ref = reference(_REF)
    trace = ref.denoise_canvas(TargetDenoiser([[1, 2, 3, 0, 1]], 4), np.zeros((1, 5), dtype=np.int64),
                               max_steps=10, gamma=0.3, rng=np.random.default_rng(0))
    fig = plot_denoising_filmstrip(trace, ["a", "b", "c", "d"])
    fig.set_size_inches(5.5, fig.get_figheight())
    return fig


def temperature_schedule():
    """416: T_i for N = 48 and three exponents, with the first and last values marked."""
    ref = reference(_REF)
    N = 48
    fig, ax = plt.subplots(figsize=(5.6, 3.0))
    for kappa, style in ((1.0, "-"), (2.0, "--"), (0.5, ":")):
        T = ref.temperature_schedule(N, 0.8, 0.4, kappa)
        ax.plot(np.arange(N), T, style, marker=".", ms=3, label=f"exponent \u03ba = {kappa:g}")
    T = ref.temperature_schedule(N)
    ax.annotate(f"$T_0$ = {T[0]:.1f}", (0, T[0]), xytext=(6, 0.77), fontsize=8, arrowprops={"arrowstyle": "->"})
    ax.annotate(f"$T_{{47}}$ = {T[-1]:.4f} (never 0.4)", (N - 1, T[-1]), xytext=(22, 0.47), fontsize=8,
                arrowprops={"arrowstyle": "->"})
    ax.axhline(0.4, color="grey", lw=0.8)
    ax.set_xlabel("denoising step i (N = 48)", fontsize=9)
    ax.set_ylabel("temperature $T_i$", fontsize=9)
    ax.set_title("The annealed temperature: hot first steps explore, later steps sharpen", fontsize=9)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def block_mask_regions():
    """417: the mask of the worked example (P = 1, R = 4, S = 2) with its three regions."""
    ref = reference(_REF)
    fig, _readout = draw_block_mask(ref.block_diffusion_mask, prompt_len=1, response_len=4, block_size=2)
    fig.set_size_inches(min(fig.get_figwidth(), 7.5), min(fig.get_figheight(), 5.0))
    return fig


def block_autoregressive():
    """418: four canvases of 16 tokens, one after another; passes per canvas against 64 AR passes."""
    ref, model = reference(_REF), ToyWordDenoiser()
    res = ref.generate_block_diffusion(model, model.encode_text("jumping"), 4, 16, np.random.default_rng(0))
    fig, ax = plt.subplots(figsize=(7.0, 3.0))
    start = 0
    for b, steps in enumerate(res["steps_per_block"]):
        text = model.decode(res["tokens"][16 * b:16 * (b + 1)])
        ax.barh(1, steps, left=start, color=plt.cm.tab10(b), edgecolor="black")
        ax.text(start + steps / 2, 1, str(b), ha="center", va="center", fontsize=8, color="white")
        ax.text(24, 1.38 - 0.25 * b, f"canvas {b}: {steps} passes \u2192 {text!r}", fontsize=7.5,
                family="monospace", va="center", color=plt.cm.tab10(b))
        start += steps
    ax.barh(0, 64, color="#cccccc", edgecolor="black")
    ax.text(32, 0, "autoregressive: 64 passes, one per token", ha="center", va="center", fontsize=8)
    ax.set_yticks([0, 1], ["AR", "block\ndiffusion"], fontsize=8)
    ax.set_xlabel("sequential decoder forward passes to write 64 tokens (prompt 'jumping', seed 0)", fontsize=8.5)
    ax.set_title(f"Block-autoregressive diffusion: {res['decoder_calls']} passes, "
                 f"{res['tokens_per_forward']:.2f} tokens per pass; each canvas waits for the one before",
                 fontsize=8.5)
    ax.set_xlim(0, 66)
    ax.set_ylim(-0.6, 1.6)
    fig.tight_layout()
    return fig


FIGURES = {
    "413_corruption_over_t.png": corruption_over_t,
    "414_entropy_budget.png": entropy_budget,
    "415_canvas_unmasking.png": canvas_unmasking,
    "416_temperature_schedule.png": temperature_schedule,
    "417_block_mask_regions.png": block_mask_regions,
    "418_block_autoregressive.png": block_autoregressive,
}

"""Explorer for problem 405: the student's sampler stepping through independently trained blocks.

The explorer runs the student's ``diffusionblocks_sample`` once per model (blockwise and
end-to-end) with every block callable wrapped so that it records what it is handed: the block's
index, the noise level ``sigma = exp(4 c_noise)`` and the state ``x = x_in sqrt(sigma^2 +
sigma_data^2)`` (undoing EDM's c_in). Nothing of the sampler is re-implemented here: the frames are
whatever the student's function passed to the blocks, plus its return value as the last frame.

Two panels:

* the cloud of points at the chosen step, coloured by the block that acts on it (block 0, the
  noisiest range, first), over the eight centres of the ring the toy was trained on;
* bars of the elements autograd saves for one training step (measured in the notebook with
  ``saved_activation_elements``): the end-to-end network against each block, the acting one marked.

Not covered: the training itself (the notebook does it) and any sampler other than the student's.
"""
from __future__ import annotations

import math
from typing import Callable, Mapping, Sequence

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np

from mlpapers.widgetkit import Explorer

__all__ = ["BLOCK_COLOURS", "FINAL_COLOUR", "E2E_COLOUR", "record_sampler", "draw_sampler", "make_sampler_explorer"]

#: colour of network block k (block 0 = noisiest range, acts first)
BLOCK_COLOURS = ("tab:red", "tab:orange", "tab:blue", "tab:green", "tab:purple", "tab:brown")
#: colour of the sampler's output (the last frame) and of the end-to-end network
FINAL_COLOUR, E2E_COLOUR = "black", "0.35"
_RING_RADIUS, _RING_MODES = 0.7, 8


def record_sampler(sample: Callable, block_fns: Sequence[Callable], boundaries, x_init, sigmas,
                   sigma_data: float = 0.5) -> dict:
    """Run ``sample(wrapped_block_fns, boundaries, x_init, sigmas, sigma_data)`` and record every block call.

    Returns a dict with ``states`` (calls + 1, N, d) float64: the state each call was handed
    (``x_in * sqrt(sigma^2 + sigma_data^2)``), then the sampler's output; ``blocks`` (calls,) int: which
    block was called; ``sigmas`` (calls,) float64: ``exp(4 c_noise)`` of each call (first sample);
    ``output`` (N, d) float64. Example: ``record_sampler(diffusionblocks_sample, fns, b, x, s)["blocks"]``.
    """
    import torch
    calls: list[tuple[int, float, np.ndarray]] = []

    def wrap(k: int, fn: Callable) -> Callable:
        def recorded(x_in, c_noise):
            sigma = math.exp(4.0 * float(torch.as_tensor(c_noise).reshape(-1)[0]))
            x = x_in.detach().double().cpu() * math.sqrt(sigma * sigma + sigma_data * sigma_data)
            calls.append((k, sigma, x.numpy()))
            return fn(x_in, c_noise)
        return recorded

    out = sample([wrap(k, fn) for k, fn in enumerate(block_fns)], boundaries, x_init, sigmas, sigma_data)
    output = out.detach().double().cpu().numpy()
    return {"states": np.stack([c[2] for c in calls] + [output]),
            "blocks": np.array([c[0] for c in calls], dtype=np.int64),
            "sigmas": np.array([c[1] for c in calls]),
            "output": output}


def _limit(points: np.ndarray) -> float:
    """Half-width of the square view: the 99th percentile of |coordinate|, at least the ring's extent."""
    return max(1.1, 1.15 * float(np.quantile(np.abs(points), 0.99)))


def draw_sampler(*, records: Mapping[str, dict], activation: Mapping[str, int], model: str, step: int):
    """The cloud at ``step`` of ``records[model]`` and the activation bars; returns ``(figure, readout)``."""
    rec = records[model]
    calls = rec["blocks"].size
    step = int(min(max(step, 0), calls))
    points = rec["states"][step]
    final = step == calls
    e2e = model == "end-to-end"
    if final:
        colour, actor = FINAL_COLOUR, ""
    elif e2e:
        colour, actor = E2E_COLOUR, "the whole network acts"
    else:
        k = int(rec["blocks"][step])
        colour, actor = BLOCK_COLOURS[k % len(BLOCK_COLOURS)], f"block {k} acts"

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(7.6, 3.6), gridspec_kw={"width_ratios": [1.0, 1.0]})
    angle = 2 * np.pi * np.arange(_RING_MODES) / _RING_MODES
    ax1.scatter(_RING_RADIUS * np.cos(angle), _RING_RADIUS * np.sin(angle), marker="x", s=30, color="0.55",
                zorder=1, gid="ring_centres")
    ax1.scatter(points[:, 0], points[:, 1], s=2, alpha=0.5, color=colour, zorder=2, gid="cloud")
    half = _limit(points)
    ax1.set_xlim(-half, half)
    ax1.set_ylim(-half, half)
    ax1.set_aspect("equal")
    ax1.tick_params(labelsize=7)
    if final:
        ax1.set_title(f"{model}: output after {calls} block calls", fontsize=9)
    else:
        ax1.set_title(f"{model}: step {step}, σ = {rec['sigmas'][step]:.4g}, {actor}", fontsize=9, color=colour)

    labels = list(activation)
    values = [int(activation[name]) for name in labels]
    acting = None if final else (labels[0] if e2e else f"block {int(rec['blocks'][step])}")
    colours = []
    for i, name in enumerate(labels):
        if name.startswith("block "):
            colours.append(BLOCK_COLOURS[int(name.split()[1]) % len(BLOCK_COLOURS)])
        else:
            colours.append("0.4")
    bars = ax2.bar(range(len(labels)), values, color=colours, gid="activation_bars")
    for bar, name in zip(bars, labels):
        bar.set_alpha(1.0 if name == acting else 0.45)
        bar.set_edgecolor("black" if name == acting else "none")
    ax2.set_xticks(range(len(labels)), labels, fontsize=8)
    ax2.set_ylabel("elements saved for backward", fontsize=8)
    ax2.tick_params(axis="y", labelsize=7)
    ax2.set_title("one training step, batch 512", fontsize=9)
    for i, v in enumerate(values):
        ax2.text(i, v, f"{v:,}", ha="center", va="bottom", fontsize=7)
    ax2.set_ylim(0, 1.15 * max(values))
    fig.subplots_adjust(left=0.07, right=0.98, bottom=0.12, top=0.9, wspace=0.35)

    counts = np.bincount(rec["blocks"][:step], minlength=int(rec["blocks"].max()) + 1)
    done = "network: " + str(step) if e2e else ", ".join(f"block {k}: {c}" for k, c in enumerate(counts))
    if final:
        head = f"{model}: the sampler's output after {calls} block calls ({done})"
    else:
        head = (f"{model}: step {step} of {calls - 1}, σ = {rec['sigmas'][step]:.4g}, {actor}\n"
                f"  calls before this one: {done}")
    spread = float(np.sqrt(np.mean(points ** 2)))
    ratio = ", ".join(f"{name} / {labels[0]} = {v / values[0]:.3f}" for name, v in zip(labels[1:], values[1:]))
    readout = (f"{head}\n  RMS of the cloud {spread:.3f} (data: 0.5)\n"
               f"  saved activations per training step: {ratio}")
    return fig, readout


def make_sampler_explorer(diffusionblocks_sample: Callable, blockwise: tuple, end_to_end: tuple, x_init, sigmas,
                          activation: Mapping[str, int], sigma_data: float = 0.5) -> Explorer:
    """Explorer with a ``model`` toggle and a ``step`` slider over the student's sampler.

    Args:
        diffusionblocks_sample: the student's sampler.
        blockwise, end_to_end: ``(block_fns, boundaries)`` of each model.
        x_init: (N, 2) tensor, the common start.  sigmas: the schedule.
        activation: label -> saved elements of one training step, end-to-end first, then ``"block k"``.

    Example: ``make_sampler_explorer(diffusionblocks_sample, (fns, b3), ([net], [0.002, 80]), x, s, acts).show()``
    """
    records = {"blockwise": record_sampler(diffusionblocks_sample, *blockwise, x_init, sigmas, sigma_data),
               "end-to-end": record_sampler(diffusionblocks_sample, *end_to_end, x_init, sigmas, sigma_data)}
    calls = records["blockwise"]["blocks"].size
    controls = {
        "model": widgets.ToggleButtons(options=["blockwise", "end-to-end"], value="blockwise", description="model"),
        "step": widgets.IntSlider(value=calls // 2, min=0, max=calls, description="step", continuous_update=False),
    }

    def draw(**values):
        return draw_sampler(records=records, activation=activation, **values)

    explorer = Explorer(draw, controls, title="The sampler's steps, each taken by the block that owns σ")
    explorer.records = records
    return explorer

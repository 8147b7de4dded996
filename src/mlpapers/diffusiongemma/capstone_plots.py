"""Result plots of the DiffusionGemma capstone (problem 418): forward passes and the step budget.

DiffusionGemma's speed claim ("up to 4x faster than autoregressive decoding") comes from emitting
many tokens per sequential denoiser pass. The capstone measures that on the course's exact toy
model: tokens per decoder forward pass for block-autoregressive diffusion against one forward
per token for autoregressive decoding, and the share of valid outputs as the step budget shrinks.
This module only draws numbers it is given (the student's measurements); it runs no sampler.
"""
from __future__ import annotations

from typing import Mapping, Sequence

import matplotlib.figure
import matplotlib.pyplot as plt
import numpy as np

__all__ = ["plot_capstone_summary"]


def plot_capstone_summary(forward_passes: Mapping[str, Sequence[float]], budgets: Sequence[int],
                          tokens_per_forward: Sequence[float], valid_rate: Sequence[float], *,
                          num_tokens: int = 64) -> matplotlib.figure.Figure:
    """Two panels: (a) forward passes per run, mean +- sd over seeds; (b) the step-budget sweep.

    Args:
        forward_passes: run label -> forward passes of each seed (e.g. ``{"autoregressive": [64]*20,
            "block diffusion": [...]}``); one bar per run.
        budgets: the ``max_steps`` values of the sweep, ascending.
        tokens_per_forward: mean tokens per decoder pass for each budget.
        valid_rate: fraction of valid outputs (0..1) for each budget.
        num_tokens: tokens generated per run (the dotted line in panel a).

    Returns:
        A Figure whose first axes holds the bars (one patch per run, heights = means) and whose
        second axes holds the tokens-per-forward line; the valid rate is on a twin axis.

    Raises:
        ValueError: the sweep lists have different lengths, or a run has no seeds.

    Example: ``plot_capstone_summary({"AR": [64, 64], "diffusion": [17, 15]}, [1, 3], [16, 5.5], [0.15, 1.0])``
    """
    budgets = np.asarray(budgets)
    tpf = np.asarray(tokens_per_forward, dtype=float)
    valid = np.asarray(valid_rate, dtype=float)
    if not (budgets.shape == tpf.shape == valid.shape) or budgets.ndim != 1:
        raise ValueError("budgets, tokens_per_forward and valid_rate must be 1-D of the same length")
    if any(len(v) == 0 for v in forward_passes.values()):
        raise ValueError("forward_passes: every run needs at least one seed")
    fig = plt.figure(figsize=(8.0, 3.3))
    plt.close(fig)                    # displayed by the caller, never twice by the inline backend
    ax_a, ax_b = fig.subplots(1, 2)
    labels = list(forward_passes)
    means = [float(np.mean(forward_passes[k])) for k in labels]
    sds = [float(np.std(forward_passes[k])) for k in labels]
    colours = ["#8c8c8c"] + [f"C{i}" for i in range(len(labels) - 1)]
    ax_a.bar(range(len(labels)), means, yerr=sds, capsize=3, color=colours)
    for i, (m, s) in enumerate(zip(means, sds)):
        ax_a.text(i, m + s + 2, f"{m:.1f}", ha="center", va="bottom", fontsize=8)
    ax_a.axhline(num_tokens, ls=":", color="black", lw=1)
    ax_a.set_xticks(range(len(labels)), labels, fontsize=7, rotation=15)
    ax_a.set_ylabel(f"forward passes for {num_tokens} tokens")
    ax_a.set_ylim(0, max(m + s for m, s in zip(means, sds)) * 1.18)
    ax_a.set_title("(a) sequential forward passes", fontsize=10)

    ax_b.plot(budgets, tpf, "o-", color="C0", label="tokens / forward")
    ax_b.set_xscale("log", base=2)
    ax_b.set_xticks(budgets, [str(b) for b in budgets])
    ax_b.set_xlabel("step budget max_steps")
    ax_b.set_ylabel("tokens per decoder pass", color="C0")
    ax_v = ax_b.twinx()
    ax_v.plot(budgets, 100 * valid, "s--", color="C3", label="valid outputs")
    ax_v.set_ylim(0, 105)
    ax_v.set_ylabel("valid outputs (%)", color="C3")
    ax_b.set_title("(b) quality against step budget", fontsize=10)
    fig.tight_layout()
    return fig

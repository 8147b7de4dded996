"""Explore DiffusionGemma's annealed sampling temperature (problem 416).

DiffusionGemma divides the denoiser's logits by a temperature that falls linearly from 0.8 on the
first denoising step towards 0.4 (official JAX ``AnnealingTemperatureShaper``; HF
``LinearTemperatureScheduleLogitsProcessor``). The widget shows the schedule ``T_i`` produced by the
student's ``temperature_schedule`` and, for one fixed raw logits canvas, what the shaped logits
do to the sampler: the mean token entropy and how many tokens the entropy-bounded rule would
accept at each step. It holds no solution: every function it plots is passed in.

What it leaves out: the canvas changes from step to step in the real sampler; here the raw
logits are frozen so that only the temperature moves.
"""
from __future__ import annotations

from typing import Callable

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np

from mlpapers.widgetkit import Explorer

__all__ = ["draw_temperature", "temperature_explorer"]


def draw_temperature(temperature_schedule: Callable, apply_temperature: Callable,
                     token_entropy: Callable, entropy_bounded_accept: Callable,
                     raw_logits: np.ndarray, *, t_max: float = 0.8, t_min: float = 0.4,
                     exponent: float = 1.0, num_steps: int = 48, gamma: float = 0.1):
    """Plot the schedule and its effect on one raw logits canvas.

    Args:
        temperature_schedule, apply_temperature: the student's functions of problem 416.
        token_entropy, entropy_bounded_accept: the course's functions of problem 414.
        raw_logits: float (1, L, V) unshaped denoiser logits (row 0 is used).
        t_max, t_min, exponent, num_steps: the schedule's arguments.
        gamma: the entropy bound in nats.

    Returns:
        (figure, readout): two panels (schedule; mean shaped entropy and accepted tokens per
        step) and a one-line summary. A schedule that raises is reported in the readout.

    Example: ``fig, text = draw_temperature(ts, at, te, eba, logits, num_steps=8)``
    """
    raw = np.asarray(raw_logits, dtype=float)
    L = raw.shape[1]
    fig, (ax_t, ax_h) = plt.subplots(1, 2, figsize=(7.5, 3.2))
    try:
        temps = np.asarray(temperature_schedule(int(num_steps), t_max, t_min, exponent), dtype=float)
    except Exception as exc:  # invalid settings: say why instead of drawing
        for ax in (ax_t, ax_h):
            ax.set_axis_off()
        ax_t.text(0.0, 0.5, f"{type(exc).__name__}: {exc}", fontsize=8, wrap=True)
        fig.tight_layout()
        return fig, f"temperature_schedule raised {type(exc).__name__}: {exc}"
    steps = np.arange(temps.size)
    mean_h = np.empty(temps.size)
    n_acc = np.empty(temps.size, dtype=int)
    for i, T in enumerate(temps):
        h = token_entropy(apply_temperature(raw, float(T)))[0]          # (L,) nats
        mean_h[i] = h.mean()
        n_acc[i] = int(np.sum(entropy_bounded_accept(h, gamma)))

    ax_t.plot(steps, temps, "o-", ms=3, color="C0", label="$T_i$")
    ax_t.axhline(t_min, ls="--", color="grey", lw=1, label="$T_{min}$")
    ax_t.axhline(t_max, ls=":", color="grey", lw=1, label="$T_{max}$")
    ax_t.set_xlabel("step $i$")
    ax_t.set_ylabel("temperature")
    ax_t.set_title(f"schedule, N = {temps.size}, $\\kappa$ = {exponent:g}", fontsize=10)
    ax_t.legend(fontsize=8, loc="upper right")

    ax_h.bar(steps, n_acc, color="C2", alpha=0.5, label="accepted tokens")
    ax_h.set_ylim(0, L + 0.5)
    ax_h.set_xlabel("step $i$")
    ax_h.set_ylabel(f"accepted of {L} ($\\gamma$ = {gamma:g})", color="C2")
    ax_e = ax_h.twinx()
    ax_e.plot(steps, mean_h, "-", color="C4", lw=2, label="mean entropy")
    ax_e.set_ylabel("mean shaped entropy (nats)", color="C4")
    ax_e.set_ylim(0, max(1e-3, mean_h.max()) * 1.1)
    ax_h.set_title("same raw logits, shaped by $T_i$", fontsize=10)
    fig.tight_layout()
    readout = (f"T_0 = {temps[0]:.4f}, T_(N-1) = {temps[-1]:.4f}; mean entropy {mean_h[0]:.3f} -> "
               f"{mean_h[-1]:.3f} nats; accepted {n_acc[0]}/{L} at the first step, "
               f"{n_acc[-1]}/{L} at the last")
    return fig, readout


def temperature_explorer(temperature_schedule: Callable, apply_temperature: Callable,
                         token_entropy: Callable, entropy_bounded_accept: Callable,
                         raw_logits: np.ndarray) -> Explorer:
    """Sliders T_max, T_min, kappa, N and gamma over :func:`draw_temperature`.

    Example: ``temperature_explorer(ts, at, te, eba, logits).show(interactive)``
    """
    style = {"description_width": "70px"}
    controls = {
        "t_max": widgets.FloatSlider(value=0.8, min=0.1, max=2.0, step=0.05, description="T_max", style=style),
        "t_min": widgets.FloatSlider(value=0.4, min=0.05, max=2.0, step=0.05, description="T_min", style=style),
        "exponent": widgets.FloatSlider(value=1.0, min=0.25, max=4.0, step=0.25, description="kappa", style=style),
        "num_steps": widgets.IntSlider(value=48, min=1, max=64, description="N", style=style),
        "gamma": widgets.FloatSlider(value=0.1, min=0.0, max=2.0, step=0.05, description="gamma", style=style),
    }

    def draw(**values):
        return draw_temperature(temperature_schedule, apply_temperature, token_entropy,
                                entropy_bounded_accept, raw_logits, **values)

    return Explorer(draw, controls, title="Annealed temperature: schedule and acceptance")

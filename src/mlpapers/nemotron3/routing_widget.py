"""Explorer for problem 409: expert loads under a skewed router, with and without the balancing bias.

A toy router (DeepSeek-V3 §2.1.2, aux-loss-free balancing; Nemotron 3 Nano's update rate 1e-3):
``N_EXPERTS`` experts read tokens of width ``D_MODEL`` whose first coordinate has mean 1, and the
router's first column rises linearly from ``-SKEW`` to ``+SKEW``, so the high-numbered experts
score well on almost every token. Each training step draws a fresh batch of ``TOKENS`` tokens,
routes it with the student's ``route_tokens`` (top-``TOP_K``), counts the loads with
``expert_counts`` and moves the bias with the student's ``update_expert_bias``. The router's
weights stay fixed: only the bias moves (in training both would).

Three panels: the loads of one step as bars (bias-off loads as grey outlines, the balanced load
dashed), the bias at that step, and max load / mean load over all steps for the chosen update
rate, with the bias-off curve in grey. Not covered: the standard balance loss Nano adds
(coefficient 1e-4), many layers, expert parallelism.
"""
from __future__ import annotations

from typing import Callable

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np

from mlpapers.widgetkit import Explorer

__all__ = ["N_EXPERTS", "TOP_K", "D_MODEL", "TOKENS", "STEPS", "SKEW", "RATES", "skewed_router",
           "token_batch", "simulate_loads", "imbalance", "draw_routing", "make_routing_explorer"]

N_EXPERTS = 16
TOP_K = 2
D_MODEL = 16
TOKENS = 256
#: training steps of one simulated run (the step slider's range)
STEPS = 300
#: the router's first column runs from -SKEW to +SKEW across the experts
SKEW = 1.0
#: update rates of the slider; Nemotron 3 Nano trained with 1e-3
RATES = (0.0, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2)
#: the mean load over the last LAST steps is what the readout calls "settled"
LAST = 50


def skewed_router(n_experts: int = N_EXPERTS, d_model: int = D_MODEL, skew: float = SKEW,
                  seed: int = 0) -> np.ndarray:
    """(n_experts, d_model) router weights whose first column rises linearly from -skew to +skew.

    The other columns are N(0, 1/d_model). With tokens whose first coordinate has mean 1
    (:func:`token_batch`) the affinity of expert i is shifted by about its first weight, so
    high-numbered experts win most tokens. Example: ``skewed_router(4, 2, 1.0)[:, 0]`` -> [-1, -1/3, 1/3, 1].
    """
    rng = np.random.default_rng(seed)
    w = rng.normal(size=(n_experts, d_model)) / np.sqrt(d_model)
    w[:, 0] = np.linspace(-skew, skew, n_experts)
    return w


def token_batch(rng: np.random.Generator, tokens: int = TOKENS, d_model: int = D_MODEL) -> np.ndarray:
    """(tokens, d_model) standard normal tokens with 1 added to the first coordinate."""
    x = rng.normal(size=(tokens, d_model))
    x[:, 0] += 1.0
    return x


def simulate_loads(route_tokens: Callable, expert_counts: Callable, update_expert_bias: Callable, *,
                   update_rate: float, use_bias: bool = True, steps: int = STEPS, w_router=None,
                   top_k: int = TOP_K, tokens: int = TOKENS, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Route ``steps`` fresh batches with the given functions, updating the bias after each.

    Args:
        route_tokens, expert_counts, update_expert_bias: the problem's functions (the student's).
        update_rate: u of the bias update.  use_bias: False routes every step with a zero bias.
        steps, top_k, tokens: run length, experts per token, tokens per step.
        w_router: (N, d) router weights (default :func:`skewed_router`).  seed: of the token batches.

    Returns:
        loads (steps, N) int64: the loads of each step (routed with the bias *before* its update);
        biases (steps, N) float64: the bias each step routed with.

    Example: ``simulate_loads(route_tokens, expert_counts, update_expert_bias, update_rate=1e-3)[0].sum(1)``
    -> 512 at every step (256 tokens, top-2).
    """
    w = skewed_router() if w_router is None else np.asarray(w_router, dtype=float)
    n_experts, d_model = w.shape
    rng = np.random.default_rng(seed)
    bias = np.zeros(n_experts)
    loads = np.zeros((steps, n_experts), dtype=np.int64)
    biases = np.zeros((steps, n_experts))
    for step in range(steps):
        x = token_batch(rng, tokens, d_model)
        indices, _weights = route_tokens(x, w, bias, top_k, 1.0)
        loads[step] = expert_counts(indices, n_experts)
        biases[step] = bias
        if use_bias:
            bias = np.asarray(update_expert_bias(bias, loads[step], float(update_rate)), dtype=float)
    return loads, biases


def imbalance(loads) -> np.ndarray:
    """Max load / mean load of each row (1 = perfectly balanced). Example: ``imbalance([[3, 1]])`` -> [1.5]."""
    loads = np.asarray(loads, dtype=float)
    return loads.max(axis=-1) / loads.mean(axis=-1)


def _rate(u: float) -> str:
    return "0" if u == 0 else f"{u:.0e}".replace("e-0", "e-")


def draw_routing(*, route_tokens: Callable, expert_counts: Callable, update_expert_bias: Callable,
                 update_rate: float = 1e-3, use_bias: bool = True, step: int = STEPS, runs: dict | None = None):
    """The three panels and the readout for one setting; returns ``(figure, readout)``.

    ``step`` counts from 1 to ``STEPS``. ``runs`` caches :func:`simulate_loads` results by
    (update_rate, use_bias) so moving the step slider does not route again.
    """
    runs = {} if runs is None else runs
    step = int(step)
    u = float(update_rate)

    def run(rate, on):
        key = (rate if on else 0.0, bool(on))
        if key not in runs:
            runs[key] = simulate_loads(route_tokens, expert_counts, update_expert_bias, update_rate=rate,
                                       use_bias=on)
        return runs[key]

    loads, biases = run(u, use_bias)
    off_loads, _ = run(0.0, False)
    ratio, off_ratio = imbalance(loads), imbalance(off_loads)
    balanced = TOKENS * TOP_K / N_EXPERTS

    fig, (ax1, ax2, ax3) = plt.subplots(1, 3, figsize=(7.8, 3.1), gridspec_kw={"width_ratios": [1.2, 1.0, 1.3]})
    experts = np.arange(N_EXPERTS)
    ax1.bar(experts, loads[step - 1], color="tab:blue" if use_bias else "tab:gray", width=0.8, gid="loads",
            label=f"u = {_rate(u)}" if use_bias else "bias off")
    if use_bias:
        ax1.bar(experts, off_loads[step - 1], fill=False, edgecolor="0.35", lw=0.7, width=0.8, gid="loads_off",
                label="bias off")
    ax1.axhline(balanced, color="tab:green", ls="--", lw=1.0, gid="balanced", label="balanced")
    ax1.legend(fontsize=7, frameon=False, loc="upper left")
    ax1.set_xlabel("expert i (router skewed towards high i)", fontsize=8)
    ax1.set_ylabel(f"load c_i (tokens of {TOKENS}, top-{TOP_K})", fontsize=8)
    ax1.set_title(f"loads at step {step}" + ("" if use_bias else " (bias off)"), fontsize=9)
    ax1.set_ylim(0, 1.3 * max(loads.max(), off_loads.max()))

    ax2.bar(experts, biases[step - 1], color="tab:orange", width=0.8, gid="bias")
    ax2.axhline(0, color="0.3", lw=0.6)
    ax2.set_xlabel("expert i", fontsize=8)
    ax2.set_title(f"bias b_i used at step {step}", fontsize=9)
    top = max(0.05, float(np.abs(biases).max()) * 1.1)
    ax2.set_ylim(-top, top)

    steps = np.arange(1, STEPS + 1)
    if use_bias:
        ax3.plot(steps, off_ratio, color="0.6", lw=0.8, gid="imbalance_off", label="bias off")
    ax3.plot(steps, ratio, color="tab:blue" if use_bias else "0.3", lw=0.9, gid="imbalance",
             label=f"u = {_rate(u)}" if use_bias else "bias off")
    ax3.plot([step], [ratio[step - 1]], "o", mfc="none", mec="tab:red", ms=7, gid="current_step")
    ax3.axhline(1.0, color="tab:green", ls="--", lw=1.0)
    ax3.set_ylim(0.9, max(4.0, off_ratio.max() * 1.05))
    ax3.set_xlabel("training step", fontsize=8)
    ax3.set_ylabel("max load / mean load", fontsize=8)
    ax3.set_title("imbalance over training", fontsize=9)
    ax3.legend(fontsize=7, frameon=False, loc="upper right")
    for ax in (ax1, ax2, ax3):
        ax.tick_params(labelsize=7)
        ax.grid(True, axis="y", lw=0.3, alpha=0.5)
    fig.subplots_adjust(left=0.07, right=0.985, bottom=0.16, top=0.9, wspace=0.4)

    settled, settled_off = float(ratio[-LAST:].mean()), float(off_ratio[-LAST:].mean())
    where = f"bias on, u = {_rate(u)}" if use_bias else "bias off (every step routes with b = 0)"
    readout = (f"{where}; step {step} of {STEPS}:\n"
               f"  max load {loads[step - 1].max()} tokens = {ratio[step - 1]:.2f}x the mean {balanced:g} "
               f"(bias off at this step: {off_ratio[step - 1]:.2f}x)\n"
               f"  bias spans [{biases[step - 1].min():+.3f}, {biases[step - 1].max():+.3f}]\n"
               f"  mean imbalance over the last {LAST} steps: {settled:.2f}x (bias off: {settled_off:.2f}x)")
    return fig, readout


def make_routing_explorer(route_tokens: Callable, expert_counts: Callable, update_expert_bias: Callable) -> Explorer:
    """Explorer with an update-rate slider ``update_rate``, a bias on/off toggle and a step slider.

    Example: ``make_routing_explorer(route_tokens, expert_counts, update_expert_bias).show(interactive)``
    """
    runs: dict = {}
    controls = {
        "update_rate": widgets.SelectionSlider(options=[(_rate(u), u) for u in RATES], value=1e-3,
                                               description="update u", continuous_update=False),
        "use_bias": widgets.ToggleButtons(options=[("bias on", True), ("bias off", False)], value=True,
                                          description="bias"),
        "step": widgets.IntSlider(value=STEPS, min=1, max=STEPS, description="step", continuous_update=False),
    }

    def draw(**values):
        return draw_routing(route_tokens=route_tokens, expert_counts=expert_counts,
                            update_expert_bias=update_expert_bias, runs=runs, **values)

    return Explorer(draw, controls, title="Aux-loss-free balancing: the bias picks, the scores weigh")

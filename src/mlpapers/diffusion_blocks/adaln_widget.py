"""Explorer for problem 402: how the noise level reaches a layer through AdaLN-Zero (DiT §3.2).

Three panels, all computed from the student's functions:

* the student's ``sigma_embedding`` over EDM's noise range 0.002 ... 80 as a heat-strip (one row
  per channel, cos rows first), with the chosen sigma marked;
* the shift, scale and gate that the student's ``adaln_zero_block`` applies at that sigma, per
  channel, for a small layer with random (or zero) modulation weights;
* the same three quantities of channel 0 as curves over the whole noise range.

The widget never multiplies ``cond @ w_mod`` itself. It reads shift, scale and gate off the
student's layer with a probe: two tokens whose LayerNorm is +z and -z (z = [1, -1, 1, ...]) go
through ``adaln_zero_block`` with a branch that records its input h = z (1 + scale) + shift and
returns ones, so the layer's output minus its input is the gate. A zero-initialised layer
shows shift = scale = gate = 0 and an output equal to its input. Not covered: the conditioning
MLP between the embedding and the layer (the widget feeds the embedding in directly).
"""
from __future__ import annotations

from typing import Callable

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np

from mlpapers.widgetkit import Explorer

__all__ = ["SIGMA_MIN", "SIGMA_MAX", "EMB_DIM", "WIDTH", "WEIGHTS", "example_layer", "probe_modulation",
           "draw_adaln", "make_adaln_explorer"]

#: EDM's noise range (Karras et al. 2022, Table 1)
SIGMA_MIN, SIGMA_MAX = 0.002, 80.0
#: channels of the embedding fed to the layer (the condition vector, C)
EMB_DIM = 16
#: channels of the layer's tokens (D)
WIDTH = 6
#: the two choices of the weights control
WEIGHTS = ("random", "zero (adaLN-Zero init)")
#: noise levels of the heat-strip and the curves
GRID = np.geomspace(SIGMA_MIN, SIGMA_MAX, 161)


def example_layer(seed: int = 0):
    """A small random AdaLN layer: ``(w_mod (C, 3D), b_mod (3D,), x (1, 4, D), branch)``.

    ``w_mod`` has N(0, 0.3^2) entries and ``b_mod`` N(0, 0.1^2); ``branch(h) = tanh(h M)`` with a
    fixed random (D, D) matrix M. Example: ``w, b, x, branch = example_layer(0)``.
    """
    rng = np.random.default_rng(seed)
    w_mod = 0.3 * rng.standard_normal((EMB_DIM, 3 * WIDTH))
    b_mod = 0.1 * rng.standard_normal(3 * WIDTH)
    x = rng.standard_normal((1, 4, WIDTH))
    M = rng.standard_normal((WIDTH, WIDTH)) / np.sqrt(WIDTH)
    return w_mod, b_mod, x, (lambda h: np.tanh(np.asarray(h) @ M))


def probe_modulation(adaln_zero_block: Callable, cond, w_mod, b_mod):
    """Shift, scale and gate, each (N, D), as the student's ``adaln_zero_block`` applies them.

    Each sample gets two tokens +a and -a with a = [1, -1, 1, ...]: their LayerNorm is +z and -z,
    z = a / sqrt(1 + eps). A branch that records its input h and returns ones gives
    h(+a) - h(-a) = 2 z (1 + scale), h(+a) + h(-a) = 2 shift, and layer(x) - x = gate.
    Example: ``shift, scale, gate = probe_modulation(adaln_zero_block, emb, w, b)``.
    """
    cond = np.asarray(cond, dtype=float)
    N, D = cond.shape[0], np.asarray(b_mod).shape[0] // 3
    a = np.where(np.arange(D) % 2 == 0, 1.0, -1.0)
    x = np.broadcast_to(np.stack([a, -a]), (N, 2, D)).copy()
    seen = []

    def branch(h):
        h = np.asarray(h, dtype=float)
        seen.append(h.reshape(-1, 2, D))
        return np.ones_like(h)

    out = np.asarray(adaln_zero_block(x, cond, w_mod, b_mod, branch), dtype=float)
    h = np.concatenate(seen) if seen else np.full((0, 2, D), np.nan)
    if h.shape[0] != N:                                # the branch was not given each sample once
        h = np.full((N, 2, D), np.nan)
    z = a / np.sqrt(1.0 + 1e-6)
    scale = (h[:, 0] - h[:, 1]) / (2 * z) - 1.0
    shift = (h[:, 0] + h[:, 1]) / 2
    gate = (out - x)[:, 0]
    return shift, scale, gate


def draw_adaln(*, sigma_embedding: Callable, adaln_zero_block: Callable, sigma: float = 1.0,
               weights: str = WEIGHTS[0], seed: int = 0):
    """The embedding heat-strip, the modulation at ``sigma`` and along the range; ``(figure, readout)``."""
    sigma = float(sigma)
    w_mod, b_mod, x, branch = example_layer(seed)
    if weights != WEIGHTS[0]:
        w_mod, b_mod = np.zeros_like(w_mod), np.zeros_like(b_mod)
    strip = np.asarray(sigma_embedding(GRID, EMB_DIM), dtype=float)            # (161, C)
    emb = np.asarray(sigma_embedding(sigma, EMB_DIM), dtype=float)             # (1, C)
    shift, scale, gate = (v[0] for v in probe_modulation(adaln_zero_block, emb, w_mod, b_mod))
    curves = probe_modulation(adaln_zero_block, strip, w_mod, b_mod)            # 3 x (161, D)
    out = np.asarray(adaln_zero_block(x, emb, w_mod, b_mod, branch), dtype=float)
    update = float(np.max(np.abs(out - x)))

    fig = plt.figure(figsize=(7.6, 5.2))
    grid = fig.add_gridspec(2, 2, height_ratios=[1.0, 1.15], hspace=0.45, wspace=0.3)
    ax0 = fig.add_subplot(grid[0, :])
    edges = np.sqrt(GRID[:-1] * GRID[1:])
    edges = np.concatenate([[SIGMA_MIN], edges, [SIGMA_MAX]])
    ax0.pcolormesh(edges, np.arange(EMB_DIM + 1), strip.T, cmap="RdBu_r", vmin=-1, vmax=1, gid="embedding_strip")
    ax0.set_xscale("log")
    ax0.invert_yaxis()
    ax0.axhline(EMB_DIM // 2, color="k", lw=0.6)
    ax0.axvline(sigma, color="k", lw=1.6, gid="sigma_marker")
    ax0.set_ylabel("channel\n(cos | sin)", fontsize=8)
    ax0.set_xlabel(r"$\sigma$ (log scale)", fontsize=8, labelpad=1)
    ax0.set_title(f"your sigma_embedding(σ, {EMB_DIM}) over EDM's range", fontsize=9)

    ax1 = fig.add_subplot(grid[1, 0])
    ch = np.arange(WIDTH)
    for k, (values, name, colour) in enumerate(((shift, "shift", "tab:blue"), (scale, "scale", "tab:orange"),
                                                (gate, "gate", "tab:green"))):
        ax1.bar(ch + (k - 1) * 0.27, values, width=0.27, color=colour, label=name, gid=f"{name}_bar")
    ax1.axhline(0, color="0.4", lw=0.6)
    ax1.set_xticks(ch)
    ax1.set_xlabel("channel d", fontsize=8)
    ax1.set_title(f"modulation at σ = {sigma:.3g}", fontsize=9)
    ax1.legend(fontsize=7, loc="upper right", ncol=3)
    top = max(1.0, float(np.nanmax(np.abs(np.concatenate(curves, axis=1)))) * 1.15)
    ax1.set_ylim(-top, top)

    ax2 = fig.add_subplot(grid[1, 1])
    for values, name, colour in ((curves[0], "shift", "tab:blue"), (curves[1], "scale", "tab:orange"),
                                 (curves[2], "gate", "tab:green")):
        ax2.plot(GRID, values[:, 0], color=colour, lw=1.3, label=name, gid=f"{name}_curve")
    ax2.axvline(sigma, color="k", lw=1.0)
    ax2.axhline(0, color="0.4", lw=0.6)
    ax2.set_xscale("log")
    ax2.set_xlim(SIGMA_MIN, SIGMA_MAX)
    ax2.set_ylim(-top, top)
    ax2.set_xlabel(r"$\sigma$ (log scale)", fontsize=8)
    ax2.set_title("channel 0 over the noise range", fontsize=9)
    ax2.grid(True, lw=0.3, alpha=0.6)
    fig.subplots_adjust(left=0.1, right=0.98, bottom=0.09, top=0.94)

    c_noise = 0.25 * np.log(sigma)
    half = EMB_DIM // 2
    if update == 0.0:
        verdict = "= 0: the layer is the identity (every gate is 0)"
    else:
        verdict = f"= {update:.3g}"
    readout = (f"σ = {sigma:.4g}, c_noise = ln(σ)/4 = {c_noise:+.4f}\n"
               f"  embedding channel pair 0: cos = {emb[0, 0]:+.4f}, sin = {emb[0, half]:+.4f}\n"
               f"  {weights} weights: shift in [{shift.min():+.3f}, {shift.max():+.3f}], "
               f"scale in [{scale.min():+.3f}, {scale.max():+.3f}], gate in [{gate.min():+.3f}, {gate.max():+.3f}]\n"
               f"  largest change of the example tokens, max |layer(x) - x| {verdict}")
    return fig, readout


def make_adaln_explorer(sigma_embedding: Callable, adaln_zero_block: Callable, seed: int = 0) -> Explorer:
    """Explorer with a log-scale ``sigma`` slider (0.002 ... 80) and a ``weights`` choice (random / zero).

    Example: ``make_adaln_explorer(sigma_embedding, adaln_zero_block).show(interactive)``
    """
    lo, hi = np.log10(SIGMA_MIN), np.log10(SIGMA_MAX)
    controls = {
        "sigma": widgets.FloatLogSlider(value=1.0, base=10, min=lo, max=hi, step=(hi - lo) / 100,
                                        description="σ", readout_format=".3g", continuous_update=False),
        "weights": widgets.ToggleButtons(options=list(WEIGHTS), value=WEIGHTS[0], description="weights"),
    }

    def draw(**values):
        return draw_adaln(sigma_embedding=sigma_embedding, adaln_zero_block=adaln_zero_block, seed=seed, **values)

    return Explorer(draw, controls, title="AdaLN-Zero: the noise level sets shift, scale and gate")

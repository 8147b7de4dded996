"""Explorer for problem 419: the state of one Mamba-2 head over time (Mamba-2 §§3-6).

Two panels, computed from the student's functions on one head (H = G = 1, P = 2, N = 4,
L = 48 tokens) with small noisy inputs and one large "spike" token:

* the state H_t[p, n] as a heat map, one row per (p, n) and time on the x-axis. It is built the
  way a decoder builds it: one ``ssd_recurrent`` call per token, each with the state the previous
  call returned as ``initial_state``;
* the output y_t[0] of one ``ssd_recurrent`` call over the whole sequence (line) and of
  ``ssd_chunked`` (dots), with the chunk edges dotted. The two must lie on each other.

The sliders set |A| (log scale), the dt bias b (Δ_t = ``mamba2_dt(δ_t, b)``), the spike's
position and the chunk size. Large |A| or a large bias makes the state forget the spike within
a few tokens; small ones keep it for the whole sequence. Not covered: the convolution, the gate
and the norm around the scan in a real Mamba-2 layer.
"""
from __future__ import annotations

from typing import Callable

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np

from mlpapers.widgetkit import Explorer

__all__ = ["LENGTH", "P", "N", "CHUNKS", "example_inputs", "decode_states", "draw_scan", "make_scan_explorer"]

#: tokens, channels of the head and state size of the example
LENGTH, P, N = 48, 2, 4
#: chunk sizes of the chunk-size control
CHUNKS = (1, 4, 8, 16, 48)
#: the spike token's input: large against the background noise of scale 0.05
SPIKE = (2.0, -1.0)


def example_inputs(spike: int = 12, seed: int = 0):
    """The explorer's inputs for one head: ``(x, dt_raw, B, C)``.

    x is (L, 1, P) noise of scale 0.05 with ``SPIKE`` at token ``spike``; ``dt_raw`` (L, 1) is
    noise of scale 0.3 (the slider's bias is added in ``mamba2_dt``); B, C are (L, 1, N)
    standard normal draws divided by sqrt(N). Example: ``example_inputs(5)[0][5, 0]`` -> [2, -1].
    """
    rng = np.random.default_rng(seed)
    x = 0.05 * rng.standard_normal((LENGTH, 1, P))
    x[int(spike), 0] = SPIKE
    dt_raw = 0.3 * rng.standard_normal((LENGTH, 1))
    B = rng.standard_normal((LENGTH, 1, N)) / np.sqrt(N)
    C = rng.standard_normal((LENGTH, 1, N)) / np.sqrt(N)
    return x, dt_raw, B, C


def decode_states(ssd_recurrent: Callable, x, dt, A, B, C) -> np.ndarray:
    """The states H_1 ... H_L of head 0, one token per ``ssd_recurrent`` call: (L, P, N).

    Each call gets one token and the state the previous call returned, as a decoder runs.
    """
    state = None
    states = []
    for t in range(x.shape[0]):
        _, state = ssd_recurrent(x[t:t + 1], dt[t:t + 1], A, B[t:t + 1], C[t:t + 1], None, state)
        state = np.asarray(state, dtype=float)
        states.append(state[0])
    return np.stack(states)


def draw_scan(*, ssd_recurrent: Callable, ssd_chunked: Callable, mamba2_dt: Callable, neg_A: float = 0.1,
              dt_bias: float = 0.0, spike: int = 12, chunk_size: int = 16, seed: int = 0):
    """The state heat map and recurrent-against-chunked outputs; returns ``(figure, readout)``."""
    neg_A, dt_bias, spike, chunk_size = float(neg_A), float(dt_bias), int(spike), int(chunk_size)
    x, dt_raw, B, C = example_inputs(spike, seed)
    dt = np.asarray(mamba2_dt(dt_raw, [dt_bias]), dtype=float)              # (L, 1)
    A = np.array([-neg_A])
    states = decode_states(ssd_recurrent, x, dt, A, B, C)                   # (L, P, N)
    y_rec, _ = ssd_recurrent(x, dt, A, B, C)
    y_chk, _ = ssd_chunked(x, dt, A, B, C, chunk_size=chunk_size)
    y_rec, y_chk = np.asarray(y_rec, dtype=float), np.asarray(y_chk, dtype=float)

    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(7.6, 4.6), sharex=True,
                                   gridspec_kw={"height_ratios": [1.1, 1.0]})
    grid = states.reshape(LENGTH, P * N).T                                  # row p * N + n
    vmax = max(float(np.abs(grid).max()), 1e-12)
    image = ax1.imshow(grid, aspect="auto", cmap="RdBu_r", vmin=-vmax, vmax=vmax, interpolation="nearest",
                       extent=(-0.5, LENGTH - 0.5, P * N - 0.5, -0.5), gid="state")
    ax1.set_yticks(range(P * N), [f"p{p} n{n}" for p in range(P) for n in range(N)], fontsize=6)
    ax1.axvline(spike, color="k", lw=0.8, ls="--", gid="spike")
    ax1.set_title(f"state $H_t$ of the head (one ssd_recurrent call per token); A = −{neg_A:g}, "
                  f"dt bias {dt_bias:+g}", fontsize=8)

    t = np.arange(LENGTH)
    ax2.plot(t, y_rec[:, 0, 0], "-", color="tab:blue", lw=1.3, label="ssd_recurrent", gid="y_recurrent")
    ax2.plot(t, y_chk[:, 0, 0], "o", color="tab:orange", ms=3, label=f"ssd_chunked (chunk {chunk_size})",
             gid="y_chunked")
    edges = np.arange(chunk_size, LENGTH, chunk_size) - 0.5
    for k, edge in enumerate(edges):
        ax2.axvline(edge, color="0.6", lw=0.6, ls=":", gid=f"chunk_edge_{k}")
    ax2.axvline(spike, color="k", lw=0.8, ls="--")
    ax2.set_xlabel("token t")
    ax2.set_ylabel("$y_t[0]$")
    ax2.legend(fontsize=7, loc="upper right")
    ax2.set_xlim(-0.5, LENGTH - 0.5)
    fig.subplots_adjust(left=0.09, right=0.9, bottom=0.1, top=0.94, hspace=0.15)
    box = ax1.get_position()
    fig.colorbar(image, cax=fig.add_axes((0.91, box.y0, 0.015, box.height)))

    mean_dt = float(dt.mean())
    per_token = float(np.exp(-mean_dt * neg_A))
    half_life = np.log(2.0) / (mean_dt * neg_A) if mean_dt * neg_A > 0 else np.inf
    norm = np.linalg.norm(states.reshape(LENGTH, -1), axis=1)               # Frobenius norm of H_t
    gap = float(np.max(np.abs(y_rec - y_chk)))
    readout = (f"A = −{neg_A:g}, dt bias = {dt_bias:+g}: mean Δ = {mean_dt:.3f}, "
               f"mean decay per token exp(ΔA) = {per_token:.3f}, half-life ≈ {half_life:.1f} tokens\n"
               f"‖H_t‖ at the spike (t = {spike}) = {norm[spike]:.3f}, at t = {LENGTH - 1}: {norm[-1]:.3f}\n"
               f"ssd_chunked (chunk {chunk_size}) against ssd_recurrent: max |Δy| = {gap:.1e}")
    return fig, readout


def make_scan_explorer(ssd_recurrent: Callable, ssd_chunked: Callable, mamba2_dt: Callable) -> Explorer:
    """Explorer with controls ``neg_A`` (|A|, log scale), ``dt_bias``, ``spike`` and ``chunk_size``.

    Example: ``make_scan_explorer(ssd_recurrent, ssd_chunked, mamba2_dt).show(interactive)``
    """
    controls = {
        "neg_A": widgets.FloatLogSlider(value=0.1, base=10, min=-2, max=1, step=0.25, description="|A|",
                                        continuous_update=False),
        "dt_bias": widgets.FloatSlider(value=0.0, min=-4.0, max=2.0, step=0.5, description="dt bias",
                                       continuous_update=False),
        "spike": widgets.IntSlider(value=12, min=0, max=LENGTH - 1, description="spike at t",
                                   continuous_update=False),
        "chunk_size": widgets.SelectionSlider(options=list(CHUNKS), value=16, description="chunk",
                                              continuous_update=False),
    }

    def draw(**values):
        return draw_scan(ssd_recurrent=ssd_recurrent, ssd_chunked=ssd_chunked, mamba2_dt=mamba2_dt, **values)

    return Explorer(draw, controls, title="Mamba-2 scan: one head's state over time")

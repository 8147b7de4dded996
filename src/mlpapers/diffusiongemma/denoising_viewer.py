"""The diffusion denoising viewer: watch a uniform-state canvas being denoised, step by step.

DiffusionGemma refines a whole canvas in parallel: at every step the denoiser predicts every
position, the entropy-bounded rule accepts the most certain predictions and every other position
is refilled with fresh uniform noise (problems 414-416). This module draws one step of a
``denoise_canvas`` trace (problem 415) as two rows of token cells:

* **input x_t**: the canvas fed to the denoiser; grey italic cells are fresh noise (step 0, or
  rejected at the step before), black cells were accepted at the step before;
* **prediction**: the argmax token, the cell coloured by its entropy (``viridis_r`` on
  ``[0, ln V]``: yellow = confident, purple = uncertain), a thick black outline where the token was
  accepted, a red triangle on a *revision*: a token accepted at the step before (so it stands in
  the input canvas) that the denoiser now predicts differently. A MASK-based sampler never changes a
  token it has unmasked; a position that only changes its argmax while it is still noise is not a
  revision (a masked sampler changes those too).

Two small panels show the mean entropy per step (log axis, dashed line at the stopping threshold)
and the number of accepted tokens per step, with the current step marked.

Public functions (used in problems 415 and 418):

- :func:`render_denoising_step` -- the pure drawing function of one step;
- :func:`plot_denoising_filmstrip` -- a static picture of every step (for executed notebooks);
- :func:`denoising_viewer` -- a :class:`mlpapers.widgetkit.Explorer` with a step slider, a play
  button and, for several canvases, a canvas selector.

A trace is the dict returned by ``denoise_canvas``: ``steps`` (int), ``converged`` (bool) and the
histories ``canvases``, ``argmax``, ``accepted``, ``entropy`` of shape ``(steps, B, L)``.
"""
from __future__ import annotations

import math
from typing import Sequence

import ipywidgets as widgets
import matplotlib.figure
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.cm import ScalarMappable
from matplotlib.colors import Normalize
from matplotlib.patches import Rectangle

from mlpapers.widgetkit import Explorer

__all__ = ["render_denoising_step", "plot_denoising_filmstrip", "denoising_viewer", "DenoisingViewer"]

WRAP = 32                      # cells per drawn row; longer canvases wrap
ENTROPY_FLOOR = 1e-8           # floor of the log entropy axis
_CMAP = "viridis_r"
_NOISE_FACE, _NOISE_TEXT = "#e4e4e4", "#808080"


def _trace_arrays(trace: dict, row: int) -> dict:
    """Validate a ``denoise_canvas`` trace and return its histories for one batch row, (steps, L)."""
    if not isinstance(trace, dict):
        raise TypeError(f"trace must be a dict returned by denoise_canvas, got {type(trace).__name__}")
    missing = [k for k in ("canvases", "argmax", "accepted", "entropy", "steps") if k not in trace]
    if missing:
        raise ValueError(f"trace lacks the keys {missing}; pass the dict returned by denoise_canvas")
    steps = int(trace["steps"])
    out = {}
    for key in ("canvases", "argmax", "accepted", "entropy"):
        arr = np.asarray(trace[key])
        if arr.ndim != 3 or arr.shape[0] != steps:
            raise ValueError(f"trace[{key!r}] must have shape (steps={steps}, B, L), got {arr.shape}")
        out[key] = arr
    B = out["argmax"].shape[1]
    if not isinstance(row, (int, np.integer)) or not 0 <= row < B:
        raise IndexError(f"row must be an int in [0, {B}), got {row!r}")
    arrays = {key: arr[:, row] for key, arr in out.items()}
    arrays["steps"] = steps
    arrays["converged"] = bool(trace.get("converged", False))
    return arrays


def _revised(tr: dict, step: int) -> np.ndarray:
    """(L,) bool: accepted at step - 1 (kept in the canvas fed at ``step``), predicted differently now."""
    if step == 0:
        return np.zeros(tr["argmax"].shape[-1], dtype=bool)
    return tr["accepted"][step - 1] & (tr["argmax"][step] != tr["canvases"][step])


def _check_step(step, steps: int) -> int:
    if isinstance(step, bool) or not isinstance(step, (int, np.integer)):
        raise TypeError(f"step must be an int, got {type(step).__name__}")
    if not 0 <= step < steps:
        raise IndexError(f"step must lie in [0, {steps}) for a trace of {steps} steps, got {step}")
    return int(step)


def _label(itos: Sequence[str], token: int) -> str:
    return itos[token] if 0 <= token < len(itos) else "?"


def _text_colour(rgba) -> str:
    """Black on light cells, white on dark ones (relative luminance of the face colour)."""
    r, g, b = rgba[:3]
    return "black" if 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.45 else "white"


def _draw_prediction_cell(ax, x, y, token_text, entropy, accepted, revised, norm, cmap, fontsize):
    """One prediction cell: entropy colour, accepted outline, revision marker. Returns the patch."""
    face = cmap(norm(entropy))
    if accepted:
        patch = Rectangle((x + 0.05, y), 0.9, 0.9, facecolor=face, edgecolor="black", linewidth=2.5,
                          gid="prediction-cell")
    else:
        patch = Rectangle((x + 0.05, y), 0.9, 0.9, facecolor=face, edgecolor="#909090", linewidth=0.8,
                          linestyle="--", gid="prediction-cell")
    ax.add_patch(patch)
    ax.text(x + 0.5, y + 0.45, token_text, ha="center", va="center", fontsize=fontsize,
            color=_text_colour(face), family="monospace")
    if revised:
        ax.text(x + 0.5, y + 0.93, "\u25b2", ha="center", va="bottom", fontsize=6, color="red",
                gid="revision")
    return patch


def render_denoising_step(trace: dict, step: int, itos: Sequence[str], *, temperatures=None,
                          confidence_threshold: float = 0.005, row: int = 0,
                          events: dict | None = None) -> matplotlib.figure.Figure:
    """Draw step ``step`` of a ``denoise_canvas`` trace: input and prediction rows, two side panels.

    Args:
        trace: dict returned by ``denoise_canvas`` (histories of shape (steps, B, L)).
        step: 0-based step index in [0, trace["steps"]).
        itos: token id -> text; V = len(itos) fixes the colour range [0, ln V].
        temperatures: optional float (>= steps,) sampling temperature of each step, shown in the title.
        confidence_threshold: the stopping threshold tau, drawn in the entropy panel.
        row: which batch row of the trace to draw.
        events: optional {label: 0-based step}, e.g. where "stable" and "confident" first held
            (problem 415); each is marked on the entropy panel (line gid "event").

    Returns:
        A new matplotlib Figure, already closed in pyplot (display it to show it once). Its first axes holds the cells
        (2·L rectangles with gid "input-cell" / "prediction-cell") and the title
        ``step s/S · T=... · accepted k/L · mean H=... [· stop ✓]``.

    Raises:
        IndexError: ``step`` or ``row`` out of range. TypeError/ValueError: not a trace.

    Example:
        >>> fig = render_denoising_step(result, 0, ["a", "b", "c", "d"])
    """
    tr = _trace_arrays(trace, row)
    steps = tr["steps"]
    step = _check_step(step, steps)
    V = len(itos)
    if V < 1:
        raise ValueError("itos must name at least one token")
    L = tr["argmax"].shape[1]
    cols, chunks = min(L, WRAP), math.ceil(L / WRAP)
    norm = Normalize(0.0, max(math.log(V), 1e-12))
    cmap = matplotlib.colormaps[_CMAP]

    fig = plt.figure(figsize=(max(6.5, 0.42 * cols + 3.0), 1.25 * chunks + 3.0))
    grid = fig.add_gridspec(2, 2, height_ratios=[1.25 * chunks + 0.5, 1.6], hspace=0.55, wspace=0.3)
    ax = fig.add_subplot(grid[0, :])
    ax_h = fig.add_subplot(grid[1, 0])
    ax_a = fig.add_subplot(grid[1, 1])

    canvas, argmax = tr["canvases"][step], tr["argmax"][step]
    accepted, entropy = tr["accepted"][step], tr["entropy"][step]
    fresh = np.ones(L, dtype=bool) if step == 0 else ~tr["accepted"][step - 1]
    revised = _revised(tr, step)
    fontsize = 9 if cols <= 24 else 7
    for l in range(L):
        chunk, x = divmod(l, WRAP)
        y_in = -2.6 * chunk
        y_pred = y_in - 1.3
        if fresh[l]:
            ax.add_patch(Rectangle((x + 0.05, y_in), 0.9, 0.9, facecolor=_NOISE_FACE, edgecolor="#c8c8c8",
                                   linewidth=0.6, gid="input-cell"))
            ax.text(x + 0.5, y_in + 0.45, _label(itos, canvas[l]), ha="center", va="center",
                    fontsize=fontsize, color=_NOISE_TEXT, style="italic", family="monospace")
        else:
            ax.add_patch(Rectangle((x + 0.05, y_in), 0.9, 0.9, facecolor="white", edgecolor="#505050",
                                   linewidth=0.8, gid="input-cell"))
            ax.text(x + 0.5, y_in + 0.45, _label(itos, canvas[l]), ha="center", va="center",
                    fontsize=fontsize, color="black", family="monospace")
        _draw_prediction_cell(ax, x, y_pred, _label(itos, argmax[l]), entropy[l], accepted[l],
                              revised[l], norm, cmap, fontsize)
    for chunk in range(chunks):
        ax.text(-0.2, -2.6 * chunk + 0.45, "input x\u209c", ha="right", va="center", fontsize=8)
        ax.text(-0.2, -2.6 * chunk - 0.85, "prediction", ha="right", va="center", fontsize=8)
    ax.set_xlim(-3.2, cols + 0.2)
    ax.set_ylim(-2.6 * (chunks - 1) - 1.45, 1.25)
    ax.set_aspect("equal")
    ax.axis("off")

    k, mean_h = int(accepted.sum()), float(entropy.mean())
    parts = [f"step {step + 1}/{steps}"]
    if temperatures is not None:
        parts.append(f"T={float(np.asarray(temperatures)[step]):.3f}")
    parts += [f"accepted {k}/{L}", f"mean H={mean_h:.4f}"]
    title = " \u00b7 ".join(parts)
    if step == steps - 1 and tr["converged"]:
        title += " \u00b7 stop \u2713"
    ax.set_title(title, fontsize=10)
    bar = fig.colorbar(ScalarMappable(norm=norm, cmap=cmap), ax=ax, fraction=0.025, pad=0.01)
    bar.set_label("token entropy (nats)", fontsize=7)
    bar.ax.tick_params(labelsize=7)

    # side panels: mean entropy (log) and accepted count per step, current step marked
    x_steps = np.arange(1, steps + 1)
    mean_per_step = np.maximum(tr["entropy"].mean(axis=-1), ENTROPY_FLOOR)
    ax_h.semilogy(x_steps, mean_per_step, "o-", ms=3, color="#3b528b")
    if confidence_threshold > 0:
        ax_h.axhline(confidence_threshold, ls="--", color="grey", lw=1, label=f"\u03c4 = {confidence_threshold:g}")
    for (label, at), marker in zip((events or {}).items(), "sD^v"):
        if at is not None and 0 <= at < steps:
            ax_h.plot([at + 1], [mean_per_step[at]], marker, ms=7, mfc="none", mew=1.5, label=f"first {label}",
                      gid="event")
    if confidence_threshold > 0 or events:
        ax_h.legend(fontsize=7, loc="best")
    ax_h.set_title("mean entropy (nats)", fontsize=8)
    ax_a.bar(x_steps, tr["accepted"].sum(axis=-1), color="#5ec962")
    ax_a.set_ylim(0, L + 0.5)
    ax_a.set_title(f"accepted tokens (of {L})", fontsize=8)
    for side in (ax_h, ax_a):
        side.axvline(step + 1, color="red", lw=1.2, gid="current-step")
        side.set_xlabel("step", fontsize=7)
        side.tick_params(labelsize=7)
        side.set_xlim(0.4, steps + 0.6)
    plt.close(fig)                 # shown once, by whoever displays it (no inline duplicate)
    return fig


def plot_denoising_filmstrip(trace: dict, itos: Sequence[str], *, row: int = 0, temperatures=None,
                             confidence_threshold: float = 0.005, max_rows: int = 20) -> matplotlib.figure.Figure:
    """Static picture of a whole trace: one prediction row per step, coloured like the viewer.

    Args:
        trace: dict returned by ``denoise_canvas``.
        itos: token id -> text.
        row: batch row to draw.
        temperatures: optional per-step temperatures, written beside each step.
        confidence_threshold: tau; steps whose mean entropy is <= tau get a "confident" tag.
        max_rows: at most this many steps are drawn (evenly spaced, first and last kept).

    Returns:
        A matplotlib Figure; its first axes holds one rectangle (gid "prediction-cell") per drawn
        step and position.

    Example:
        >>> plot_denoising_filmstrip(result, ["a", "b", "c", "d"])
    """
    tr = _trace_arrays(trace, row)
    steps, L = tr["steps"], tr["argmax"].shape[1]
    if steps == 0:
        raise ValueError("trace has no steps")
    V = len(itos)
    shown = list(range(steps)) if steps <= max_rows else \
        sorted(set(np.linspace(0, steps - 1, max_rows).round().astype(int).tolist()))
    norm = Normalize(0.0, max(math.log(max(V, 1)), 1e-12))
    cmap = matplotlib.colormaps[_CMAP]
    fig = plt.figure(figsize=(min(13.0, max(5.5, 0.3 * (L + 9))), 0.34 * len(shown) + 1.0))
    ax = fig.add_subplot(1, 1, 1)
    fontsize = 8 if L <= 32 else 6
    for r, s in enumerate(shown):
        y = -1.2 * r
        for l in range(L):
            revised = _revised(tr, s)[l]
            _draw_prediction_cell(ax, l, y, _label(itos, tr["argmax"][s, l]), tr["entropy"][s, l],
                                  tr["accepted"][s, l], revised, norm, cmap, fontsize)
        ax.text(-0.2, y + 0.45, f"step {s + 1}", ha="right", va="center", fontsize=8)
        mean_h = float(tr["entropy"][s].mean())
        note = f"{int(tr['accepted'][s].sum())} acc \u00b7 H={mean_h:.3g}"
        if temperatures is not None:
            note = f"T={float(np.asarray(temperatures)[s]):.2f} \u00b7 " + note
        ax.text(L + 0.2, y + 0.45, note, ha="left", va="center", fontsize=7, color="#404040")
    ax.set_xlim(-2.6, L + 6.0)
    ax.set_ylim(-1.2 * (len(shown) - 1) - 0.2, 1.3)
    ax.set_aspect("equal")
    ax.axis("off")
    verdict = "stopped early (stable and confident)" if tr["converged"] else "used every step"
    ax.set_title(f"argmax canvas per step \u00b7 {steps} steps \u00b7 {verdict}", fontsize=9)
    bar = fig.colorbar(ScalarMappable(norm=norm, cmap=cmap), ax=ax, fraction=0.02, pad=0.01)
    bar.set_label("token entropy (nats)", fontsize=7)
    bar.ax.tick_params(labelsize=7)
    plt.close(fig)
    return fig


class DenoisingViewer(Explorer):
    """Step slider (with a linked play button) and optional canvas selector over denoising traces.

    Build it with :func:`denoising_viewer`. Tests drive it like any Explorer:
    ``viewer.controls["step"].value = 3``, ``viewer.controls["canvas"].value = 1``, then inspect
    ``viewer.figure`` and ``viewer.readout``.
    """

    def __init__(self, traces: list[dict], itos: Sequence[str], *, temperatures=None,
                 confidence_threshold: float = 0.005, row: int = 0, prompt_text: str = "",
                 events: dict | None = None):
        self.traces = traces
        self.itos = list(itos)
        self.temperatures = temperatures
        self.confidence_threshold = confidence_threshold
        self.row = row
        self.events = events
        self.prompt_text = prompt_text
        last = traces[0]["steps"] - 1
        step = widgets.IntSlider(value=0, min=0, max=last, description="step")
        self.play = widgets.Play(value=0, min=0, max=last, step=1, interval=700, description="play")
        self._link = widgets.jslink((self.play, "value"), (step, "value"))
        controls = {"step": step}
        if len(traces) > 1:
            canvas = widgets.Dropdown(options=[(f"canvas {i}", i) for i in range(len(traces))], value=0,
                                      description="canvas")
            # registered before Explorer's redraw observer, so the slider range is right first
            canvas.observe(self._canvas_changed, names="value")
            controls["canvas"] = canvas
        super().__init__(self._draw, controls, title="Denoising, step by step")

    def _canvas_changed(self, change) -> None:
        last = self.traces[change["new"]]["steps"] - 1
        step = self.controls["step"]
        if step.value > last:
            step.value = last
        step.max = last
        self.play.max = last

    def _draw(self, step: int, canvas: int = 0):
        trace = self.traces[canvas]
        step = min(step, trace["steps"] - 1)
        fig = render_denoising_step(trace, step, self.itos, temperatures=self.temperatures, events=self.events,
                                    confidence_threshold=self.confidence_threshold, row=self.row)
        accepted = np.asarray(trace["accepted"])[step, self.row]
        mean_h = float(np.asarray(trace["entropy"])[step, self.row].mean())
        lines = [f"canvas {canvas} \u00b7 step {step + 1}/{trace['steps']} \u00b7 accepted "
                 f"{int(accepted.sum())}/{accepted.size} \u00b7 mean H={mean_h:.4f}"]
        if len(self.traces) > 1 or self.prompt_text:
            done = "".join(self.itos[t] for tr in self.traces[:canvas] for t in np.asarray(tr["tokens"])[self.row])
            now = "".join(self.itos[t] for t in np.asarray(trace["argmax"])[step, self.row])
            lines.append(f"text: {self.prompt_text}{done}|{now}")
        return fig, "\n".join(lines)

    def control_rows(self) -> list:
        """Play and the step slider side by side, then the canvas chooser if there are several."""
        rows = [widgets.HBox([self.play, self.controls["step"]])]
        if "canvas" in self.controls:
            rows.append(self.controls["canvas"])
        return rows


def denoising_viewer(traces, itos: Sequence[str], *, temperatures=None, confidence_threshold: float = 0.005,
                     row: int = 0, prompt_text: str = "", events: dict | None = None) -> DenoisingViewer:
    """The diffusion denoising widget over one trace or a list of traces (one per canvas).

    Args:
        traces: a ``denoise_canvas`` result, or a list of them (problem 418: one per canvas).
        itos: token id -> text.
        temperatures: optional per-step temperatures shown in the title.
        confidence_threshold: tau of the stopping rule, drawn in the entropy panel.
        row: batch row to show.
        prompt_text: text printed before the decoded canvases in the readout (problem 418).
        events: optional {label: 0-based step} marked on the entropy panel (see render_denoising_step).

    Returns:
        A :class:`DenoisingViewer`; call ``.show(interactive)``. The readout names the canvas, step,
        accepted count and mean entropy, and, for several canvases, the decoded text: finished
        canvases, then ``|``, then the current argmax canvas.

    Raises:
        TypeError/ValueError: ``traces`` is not a trace or a non-empty list of traces.
    """
    if isinstance(traces, dict):
        traces = [traces]
    if not isinstance(traces, (list, tuple)) or len(traces) == 0:
        raise TypeError("traces must be a denoise_canvas dict or a non-empty list of them")
    for trace in traces:
        _trace_arrays(trace, row)
        if int(trace["steps"]) < 1:
            raise ValueError("every trace needs at least one step")
    return DenoisingViewer(list(traces), itos, temperatures=temperatures,
                           confidence_threshold=confidence_threshold, row=row, prompt_text=prompt_text,
                           events=events)

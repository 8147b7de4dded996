"""Q/K concentration explorer: the TriAttention observation on one synthetic head.

Problems 286 (measuring concentration) and 287 (the trigonometric series) of the TriAttention
chapter. One synthetic head from :mod:`mlpapers.triattention.synth` (d = 64, 512 tokens, token
t at position t) is drawn in four panels, after the paper's motivation figure:

A. pre-RoPE q and k of one frequency pair as 2-D points, with their centres (stars);
B. the same points after RoPE: fast pairs smear into rings, slow pairs into short arcs;
C. the concentration R_f of every pair, pre-RoPE (solid) and post-RoPE (light), for Q and K;
D. the attention logit against distance (log axis): individual logits or their mean +/- std,
   the series built from the two centres, and the selected pair's single term.

Every number comes from the student's functions, passed in as arguments, the centre series
included (problem 287's ``distance_preference``, or in problem 286 a curve the notebook builds
from problem 285's ``trig_logit``); the widget itself only draws data and plots. Leaves out:
real model statistics (the spec's table holds those), multiple heads, grouped-query attention.
"""
from __future__ import annotations

import math
from typing import Callable

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np

from mlpapers.triattention.synth import make_centres, sample_concentrated
from mlpapers.widgetkit import Explorer

__all__ = ["HEAD_DIM", "N_TOKENS", "DISTANCES", "scenario", "draw_concentration",
           "make_concentration_explorer"]

HEAD_DIM = 64
N_TOKENS = 512
#: log-spaced distances 1 ... 511 (47 unique integers) used by panel D.
DISTANCES = np.unique(np.round(np.logspace(0, math.log10(N_TOKENS - 1), 60))).astype(np.int64)

Q_COLOUR, K_COLOUR = "tab:blue", "tab:orange"


def scenario(seed: int = 0, q_noise: float = 0.8, k_noise: float = 0.8, tilt: float = 0.65,
             jitter: float = 0.5) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The explorer's data: ``(q_centre, k_centre, q, k)`` with q, k of shape (512, 64).

    Example: ``qc, kc, q, k = scenario(0)``; ``np.argmax(abs(qc) * abs(kc)) == 21``.
    """
    rng = np.random.default_rng(int(seed))
    qc, kc = make_centres(HEAD_DIM, rng=rng, tilt=float(tilt), phase_jitter=float(jitter))
    q = sample_concentrated(qc, N_TOKENS, rng=rng, noise=float(q_noise))
    k = sample_concentrated(kc, N_TOKENS, rng=rng, noise=float(k_noise))
    return qc, kc, q, k


def _pair_points(x: np.ndarray, f: int) -> tuple[np.ndarray, np.ndarray]:
    F = x.shape[1] // 2
    return x[:, f], x[:, f + F]


def draw_concentration(*, apply_rope: Callable, mean_resultant_length: Callable, qk_centre: Callable,
                       distance_preference: Callable, empirical_distance_logits: Callable | None = None,
                       preferred_distance: Callable | None = None, pair: int = 21, q_noise: float = 0.8,
                       k_noise: float = 0.8, tilt: float = 0.65, jitter: float = 0.5, seed: int = 0,
                       base: float = 10000.0):
    """Draw the four panels; returns ``(figure, readout)``.

    Args:
        apply_rope, mean_resultant_length, qk_centre: the student's functions (284, 286).
        distance_preference: the centre series ``P(q_centre, k_centre, distances, base)``,
            passed in by the notebook (287's function; in 286 the notebook's own curve from
            285's ``trig_logit``). Panel D's single-pair term is this function evaluated on
            centres whose other pairs are zero.
        empirical_distance_logits, preferred_distance: 287's functions; without them panel D
            shows a sample of individual logits instead of the mean +/- std band.
        pair, q_noise, k_noise, tilt, jitter, seed, base: the controls.
    """
    base = float(base)
    f = int(pair)
    sqrt_d = math.sqrt(HEAD_DIM)
    qc, kc, q, k = scenario(seed, q_noise, k_noise, tilt, jitter)
    pos = np.arange(N_TOKENS, dtype=np.float64)
    q_rot = np.asarray(apply_rope(q, pos, base), dtype=float)          # (n, d)
    k_rot = np.asarray(apply_rope(k, pos, base), dtype=float)
    R = {("Q", "pre"): np.asarray(mean_resultant_length(q), dtype=float),
         ("Q", "post"): np.asarray(mean_resultant_length(q, pos, base), dtype=float),
         ("K", "pre"): np.asarray(mean_resultant_length(k), dtype=float),
         ("K", "post"): np.asarray(mean_resultant_length(k, pos, base), dtype=float)}
    F = HEAD_DIM // 2
    period = 2 * np.pi * base ** (2.0 * np.arange(F) / HEAD_DIM)      # tokens per turn of each pair

    fig, axes = plt.subplots(2, 2, figsize=(7.6, 6.4))
    (ax_a, ax_b), (ax_c, ax_d) = axes

    # A, B: the selected pair before and after RoPE
    for ax, (xq, xk), stage in ((ax_a, (q, k), "pre"), (ax_b, (q_rot, k_rot), "post")):
        for x, colour, name in ((xq, Q_COLOUR, "q"), (xk, K_COLOUR, "k")):
            re, im = _pair_points(x, f)
            ax.scatter(re, im, s=4, alpha=0.35, color=colour, label=name, linewidths=0, gid=f"{name}_points_{stage}")
        for x, colour, name in ((xq, Q_COLOUR, "q"), (xk, K_COLOUR, "k")):
            c = np.asarray(qk_centre(x))[f]
            ax.plot([c.real], [c.imag], marker="*", ms=14, color=colour, mec="black", ls="none",
                    gid=f"{name}_centre_{stage}")
        ax.axhline(0, color="0.8", lw=0.6, zorder=0)
        ax.axvline(0, color="0.8", lw=0.6, zorder=0)
        ax.set_aspect("equal", adjustable="datalim")
        ax.set_xlabel("Re $z_f$")
        ax.set_ylabel("Im $z_f$")
        ax.text(0.02, 0.98, f"R_Q = {R['Q', stage][f]:.3f}, R_K = {R['K', stage][f]:.3f}",
                transform=ax.transAxes, va="top", fontsize=8,
                bbox=dict(boxstyle="round", fc="white", ec="0.7", alpha=0.85))
    ax_a.set_title(f"A. pair {f}, pre-RoPE", fontsize=9)
    ax_b.set_title(f"B. pair {f} after RoPE (period {period[f]:.0f} tokens)", fontsize=9)
    ax_a.legend(loc="lower right", fontsize=7, markerscale=3)

    # C: concentration of every pair
    idx = np.arange(F)
    width = 0.22
    for j, (who, stage) in enumerate((("Q", "pre"), ("Q", "post"), ("K", "pre"), ("K", "post"))):
        colour = Q_COLOUR if who == "Q" else K_COLOUR
        bars = ax_c.bar(idx + (j - 1.5) * width, R[who, stage], width=width, color=colour,
                        alpha=1.0 if stage == "pre" else 0.3, label=f"{who} {stage}-RoPE")
        for patch in bars.patches:
            patch.set_gid(f"R_{who}_{stage}")
    ax_c.add_patch(plt.Rectangle((f - 0.5, 0), 1.0, 1.04, fill=False, ec="black", lw=1.2, gid="selected_pair"))
    ax_c.set_xlim(-0.7, F - 0.3)
    ax_c.set_ylim(0, 1.08)
    ax_c.set_xlabel("frequency pair f (fast → slow)")
    ax_c.set_ylabel("$R_f$")
    ax_c.set_title("C. concentration per pair (top axis: period in tokens)", fontsize=9, pad=14)
    ax_c.legend(fontsize=6, ncol=2, loc="upper left")
    top = ax_c.secondary_xaxis("top")
    ticks = [0, 8, 16, 24, F - 1]
    top.set_xticks(ticks, [f"{period[t]:.0f}" if period[t] < 1e4 else f"{period[t]:.0e}" for t in ticks],
                   fontsize=6)

    # D: logit against distance
    dist = DISTANCES
    qc_hat, kc_hat = np.asarray(qk_centre(q)), np.asarray(qk_centre(k))   # measured centres (F,)
    series = np.asarray(distance_preference(qc_hat, kc_hat, dist.astype(np.float64), base), dtype=float) / sqrt_d
    ax_d.set_xscale("log")
    gap = None
    if empirical_distance_logits is not None:
        mean, std = empirical_distance_logits(q, k, dist, base)
        mean = np.asarray(mean, dtype=float) / sqrt_d
        std = np.asarray(std, dtype=float) / sqrt_d
        ax_d.fill_between(dist, mean - std, mean + std, color="0.6", alpha=0.3, lw=0, label="measured ± std", gid="measured_band")
        ax_d.plot(dist, mean, color="black", lw=1.2, label="measured mean", gid="measured_mean")
        gap = float(np.sqrt(np.mean((mean - series) ** 2)) / np.sqrt(np.mean(series ** 2)))
    else:
        # a sample of individual logits q_t . k_{t-D} (16 query positions per distance)
        xs, ys = [], []
        for D in dist:
            t = np.unique(np.linspace(D, N_TOKENS - 1, 16).astype(int))
            xs.append(np.full(t.shape, D))
            ys.append(np.sum(q_rot[t] * k_rot[t - D], axis=1) / sqrt_d)
        ax_d.scatter(np.concatenate(xs), np.concatenate(ys), s=3, color="0.45", alpha=0.5,
                     linewidths=0, label="individual logits", gid="individual_logits")
    ax_d.plot(dist, series, ls=":", lw=2, color="tab:red", label="centre series", gid="series")
    # the series is a sum over pairs, so zeroing the other pairs leaves pair f's own term
    only_f = np.zeros(F)
    only_f[f] = 1.0
    term = np.asarray(distance_preference(qc_hat * only_f, kc_hat * only_f, dist.astype(np.float64), base),
                      dtype=float)
    ax_d.plot(dist, term / sqrt_d, lw=0.8, color="tab:green", label=f"pair {f} term", gid="pair_term")
    best = None
    if preferred_distance is not None:
        best = int(preferred_distance(qc, kc, N_TOKENS - 1, base))
        if best >= 1:
            ax_d.axvline(best, color="tab:purple", lw=0.8, ls="--", label=f"preferred Δ = {best}", gid="preferred")
    ax_d.set_xlabel("distance Δ (tokens)")
    ax_d.set_ylabel("logit / √d")
    ax_d.set_title("D. logit against distance", fontsize=9)
    ax_d.legend(fontsize=6, loc="upper right")
    # fixed margins: tight_layout costs more than the rest of a redraw
    fig.subplots_adjust(left=0.08, right=0.98, bottom=0.08, top=0.94, wspace=0.3, hspace=0.48)

    med = {key: float(np.median(val)) for key, val in R.items()}
    text = [f"pair {f}: period {period[f]:.1f} tokens; "
            f"R_Q {R['Q', 'pre'][f]:.3f} → {R['Q', 'post'][f]:.3f} after RoPE, "
            f"R_K {R['K', 'pre'][f]:.3f} → {R['K', 'post'][f]:.3f}",
            f"median R over pairs: Q {med['Q', 'pre']:.3f} → {med['Q', 'post']:.3f}, "
            f"K {med['K', 'pre']:.3f} → {med['K', 'post']:.3f}",
            f"centre series / √d: {series[0]:.2f} at Δ = {dist[0]}, {series[-1]:.2f} at Δ = {dist[-1]}"]
    if gap is not None:
        text.append(f"relative RMS gap between measured mean and series: {gap:.3f}")
    if best is not None:
        text.append(f"preferred distance (true centres, 0…{N_TOKENS - 1}): {best}")
    return fig, "\n".join(text)


def make_concentration_explorer(apply_rope: Callable, mean_resultant_length: Callable, qk_centre: Callable,
                                distance_preference: Callable, *,
                                empirical_distance_logits: Callable | None = None,
                                preferred_distance: Callable | None = None) -> Explorer:
    """Build the explorer: controls pair, q_noise, k_noise, tilt, jitter, seed, base.

    Example (problem 287)::

        make_concentration_explorer(apply_rope, mean_resultant_length, qk_centre, distance_preference,
                                    empirical_distance_logits=empirical_distance_logits,
                                    preferred_distance=preferred_distance).show(interactive)
    """
    qc, kc, _, _ = scenario(0)
    default_pair = int(np.argmax(np.abs(qc) * np.abs(kc)))
    slider = dict(continuous_update=False, style={"description_width": "70px"})
    controls = {
        "pair": widgets.IntSlider(value=default_pair, min=0, max=HEAD_DIM // 2 - 1, description="pair", **slider),
        "q_noise": widgets.FloatSlider(value=0.8, min=0.0, max=2.0, step=0.05, description="q noise", **slider),
        "k_noise": widgets.FloatSlider(value=0.8, min=0.0, max=2.0, step=0.05, description="k noise", **slider),
        "tilt": widgets.FloatSlider(value=0.65, min=0.0, max=3.0, step=0.05, description="tilt", **slider),
        "jitter": widgets.FloatSlider(value=0.5, min=0.0, max=3.14, step=0.02, description="jitter", **slider),
        "seed": widgets.IntSlider(value=0, min=0, max=20, description="seed", **slider),
        "base": widgets.Dropdown(options=[("10 000", 10000.0), ("1 000 000", 1000000.0)], value=10000.0,
                                 description="base", style={"description_width": "70px"}),
    }

    def draw(**values):
        return draw_concentration(apply_rope=apply_rope, mean_resultant_length=mean_resultant_length,
                                  qk_centre=qk_centre, distance_preference=distance_preference,
                                  empirical_distance_logits=empirical_distance_logits,
                                  preferred_distance=preferred_distance, **values)

    return Explorer(draw, controls, title="Q/K concentration explorer")

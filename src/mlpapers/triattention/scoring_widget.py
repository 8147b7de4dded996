"""Explorer for problem 288: the two terms of the TriAttention key score.

TriAttention (arXiv 2604.04921; scoring as in the released code, ``score_keys_for_round``)
scores every cached key by a trigonometric term (the expected logit of future queries built
from the calibration query centre) plus a norm term sum_f (E|q_f| - |E q_f|) |k_f|. This
explorer draws both terms for every key of one synthetic eviction scenario: left, S_trig
against S_norm coloured by key position with the top-``budget`` keys circled; right, the total
score along the sequence. The ``q_noise`` knob makes the queries less concentrated, which
shrinks |E q_f| relative to E|q_f|: the trig term flattens and the norm term takes over.

Everything is computed by the student's functions; nothing here scores a key itself. Not
covered: eviction and its evaluation (problem 289).
"""
from __future__ import annotations

from typing import Callable

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np

from mlpapers.triattention.synth import make_eviction_scenario
from mlpapers.widgetkit import Explorer

__all__ = ["score_terms", "draw_scores", "scoring_explorer"]


def score_terms(trig_score: Callable, norm_score: Callable, qk_centre: Callable, qk_abs_mean: Callable,
                *, q_noise: float = 0.8, seed: int = 0) -> dict:
    """Both score terms for every key of ``make_eviction_scenario(rng=default_rng(seed), q_noise=q_noise)``.

    Args:
        trig_score, norm_score: the student's functions of problem 288.
        qk_centre, qk_abs_mean: calibration statistics (problem 286).
        q_noise: query noise of the scenario (lower = more concentrated queries).
        seed: scenario seed.

    Returns:
        dict with ``trig`` (n,), ``norm`` (n,), ``positions`` (n,) float64 and ``median_R``
        (median over pairs of |E q_f| / E|q_f| of the calibration queries).

    Example: ``score_terms(trig_score, norm_score, qk_centre, qk_abs_mean)["trig"].shape == (2560,)``.
    """
    sc = make_eviction_scenario(rng=np.random.default_rng(int(seed)), q_noise=float(q_noise))
    centre = qk_centre(sc["calib_queries"])
    abs_mean = qk_abs_mean(sc["calib_queries"])
    trig = np.asarray(trig_score(centre, sc["keys"], sc["key_positions"], sc["query_position"]), dtype=float)
    norm = np.asarray(norm_score(centre, abs_mean, sc["keys"]), dtype=float)
    ratio = np.abs(centre) / np.where(abs_mean > 0, abs_mean, 1.0)
    return {"trig": trig, "norm": norm, "positions": np.asarray(sc["key_positions"], dtype=float),
            "median_R": float(np.median(ratio))}


def draw_scores(trig_score: Callable, norm_score: Callable, qk_centre: Callable, qk_abs_mean: Callable,
                *, q_noise: float = 0.8, seed: int = 0, budget: int = 256):
    """Scatter S_trig vs S_norm (left) and the total score along the sequence (right).

    Args:
        trig_score, norm_score, qk_centre, qk_abs_mean: see :func:`score_terms`.
        q_noise, seed: scenario knobs.
        budget: how many top-scoring keys to circle.

    Returns:
        ``(figure, readout)``. Artists carry labels "keys", "top keys" (left) and
        "total score", "kept" (right).
    """
    terms = score_terms(trig_score, norm_score, qk_centre, qk_abs_mean, q_noise=q_noise, seed=seed)
    trig, norm, pos = terms["trig"], terms["norm"], terms["positions"]
    total = trig + norm
    budget = int(min(budget, total.size))
    top = np.sort(np.argsort(-total, kind="stable")[:budget])

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(7.2, 3.2), gridspec_kw={"width_ratios": [1, 1.25]})
    sc = ax1.scatter(trig, norm, c=pos, s=4, cmap="viridis", label="keys")
    ax1.scatter(trig[top], norm[top], s=16, facecolors="none", edgecolors="tab:red", lw=0.6,
                label="top keys")
    ax1.set_xlabel("$S_{trig}$")
    ax1.set_ylabel("$S_{norm}$")
    ax1.set_title(f"q_noise = {q_noise:.2f}, median R = {terms['median_R']:.2f}", fontsize=9)
    ax1.legend(fontsize=7, loc="upper left")
    cbar = fig.colorbar(sc, ax=ax1, fraction=0.05, pad=0.02)
    cbar.set_label("key position", fontsize=8)

    ax2.plot(pos, total, lw=0.4, color="0.5", label="total score")
    ax2.plot(pos[top], total[top], ".", ms=3, color="tab:red", label="kept")
    ax2.set_xlabel("key position (next query at %d)" % (pos.max() + 1))
    ax2.set_ylabel("$S_{trig} + S_{norm}$")
    ax2.set_title(f"top {budget} of {total.size} keys", fontsize=9)
    ax2.legend(fontsize=7, loc="upper left")
    fig.tight_layout()

    recent = int(np.sum(pos[top] >= pos.max() + 1 - budget))
    sd_t, sd_n = float(np.std(trig)), float(np.std(norm))
    readout = (f"median R_f of the calibration queries: {terms['median_R']:.3f}\n"
               f"spread across keys: std S_trig = {sd_t:.2f}, std S_norm = {sd_n:.2f} "
               f"(norm share {sd_n / (sd_t + sd_n):.0%})\n"
               f"kept keys among the last {budget} positions: {recent} of {budget}")
    return fig, readout


def scoring_explorer(trig_score: Callable, norm_score: Callable, qk_centre: Callable,
                     qk_abs_mean: Callable) -> Explorer:
    """Explorer with sliders ``q_noise`` (0.1-2), ``seed`` (0-9) and a ``budget`` dropdown.

    Example: ``scoring_explorer(trig_score, norm_score, qk_centre, qk_abs_mean).show(interactive)``.
    """
    controls = {
        "q_noise": widgets.FloatSlider(value=0.8, min=0.1, max=2.0, step=0.1, description="q_noise",
                                       continuous_update=False),
        "seed": widgets.IntSlider(value=0, min=0, max=9, description="seed", continuous_update=False),
        "budget": widgets.Dropdown(options=[64, 128, 256, 512], value=256, description="budget"),
    }

    def draw(q_noise, seed, budget):
        return draw_scores(trig_score, norm_score, qk_centre, qk_abs_mean,
                           q_noise=q_noise, seed=seed, budget=budget)

    return Explorer(draw, controls, title="TriAttention score terms")

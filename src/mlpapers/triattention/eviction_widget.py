"""Eviction lab for problem 289: which keys each policy keeps, and what that costs.

TriAttention (arXiv 2604.04921) evicts cached keys by a score built from calibration query
statistics; the SnapKV-style baseline keeps what the last few post-RoPE queries looked at. On
one synthetic head (``make_eviction_scenario``) this lab prunes a 2560-key cache to ``budget``
keys with every policy and shows, left, the attention mass kept and the attention-output error
per policy (oracle as dashed/dotted lines) and, right, a raster of the kept key positions, one
row per policy, above the attention the future queries pay to every key (the quantity the
oracle ranks by). In "streaming" mode the bars come from the round-based decode loop instead
(evict every 128 steps); the raster always shows the one-shot selection at position 2560.

The knobs move the scenario between regimes: ``peak_logit`` up or ``tilt`` up makes attention
sparse (every policy gets closer to the oracle), ``norm_sigma = 0`` or low ``noise`` makes it
flat (no small subset holds most of the mass). All numbers come from the student's functions:
the lab has no selector, oracle or metric of its own.
"""
from __future__ import annotations

from typing import Callable

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np

from mlpapers.triattention.synth import make_eviction_scenario
from mlpapers.widgetkit import Explorer

__all__ = ["POLICIES", "BUDGETS", "eviction_scenario", "selections", "future_attention", "draw_eviction",
           "eviction_lab"]

POLICIES = ("recent", "window", "triattention")
"""The policies drawn as bars (the oracle is drawn as lines)."""

BUDGETS = (64, 128, 256, 512, 1024)
"""Budgets offered by the log-spaced budget slider."""

COLORS = {"recent": "tab:gray", "window": "tab:orange", "triattention": "tab:blue"}


def eviction_scenario(*, noise: float = 0.8, norm_sigma: float = 0.3, tilt: float = 0.65,
                      peak_logit: float = 8.0, seed: int = 0) -> dict:
    """``make_eviction_scenario`` with query and key noise both set to ``noise``.

    Example: ``eviction_scenario(seed=1)["keys"].shape == (2560, 64)``.
    """
    return make_eviction_scenario(rng=np.random.default_rng(int(seed)), q_noise=float(noise),
                                  k_noise=float(noise), norm_sigma=float(norm_sigma),
                                  tilt=float(tilt), peak_logit=float(peak_logit))


def selections(fns: dict, scenario: dict, budget: int) -> dict[str, np.ndarray]:
    """What each of the student's selectors keeps from the scenario's cache, one eviction.

    Args:
        fns: mapping with the student's ``select_recent``, ``select_window_attention``,
            ``select_triattention`` and the calibration statistics ``qk_centre``, ``qk_abs_mean``.
        scenario: a dict from ``make_eviction_scenario``.
        budget: number of keys kept.

    Returns:
        policy name (:data:`POLICIES`) -> the selector's indices into the scenario's keys.
    """
    keys, kpos = scenario["keys"], scenario["key_positions"]
    w = int(scenario["window"])
    calib = scenario["calib_queries"]
    return {
        "recent": np.asarray(fns["select_recent"](kpos, budget)),
        "window": np.asarray(fns["select_window_attention"](
            scenario["past_queries"][-w:], scenario["past_positions"][-w:], keys, kpos, budget)),
        "triattention": np.asarray(fns["select_triattention"](
            fns["qk_centre"](calib), fns["qk_abs_mean"](calib), keys, kpos,
            scenario["query_position"], budget)),
    }


def future_attention(attention_weights: Callable, scenario: dict) -> np.ndarray:
    """Mean attention of the scenario's future queries on every cached key, (n,) float64.

    Args:
        attention_weights: the student's ``attention_weights(queries, query_positions, keys,
            key_positions)``.
        scenario: a dict from ``make_eviction_scenario``.
    """
    weights = attention_weights(scenario["future_queries"], scenario["future_positions"],
                                scenario["keys"], scenario["key_positions"])
    return np.asarray(weights, dtype=float).mean(axis=0)


def draw_eviction(fns: dict, *, budget: int = 256, noise: float = 0.8, norm_sigma: float = 0.3,
                  tilt: float = 0.65, peak_logit: float = 8.0, seed: int = 0, mode: str = "one-shot"):
    """Bars of mass and output error per policy (left) and the kept-position raster (right).

    Args:
        fns: the student's functions (see :func:`selections`) plus ``attention_weights``,
            ``evaluate_policies`` and, for ``mode="streaming"``, ``simulate_streaming``.
        budget, noise, norm_sigma, tilt, peak_logit, seed: scenario and cache knobs.
        mode: "one-shot" (``evaluate_policies``) or "streaming" (``simulate_streaming``,
            interval 128).

    Returns:
        ``(figure, readout)``. Bars are labelled "mass" and "output error"; the oracle lines
        "oracle mass" / "oracle error" (one-shot only); the raster has one row per policy
        and a last row, labelled "future attention", with one spike per key.
    """
    sc = eviction_scenario(noise=noise, norm_sigma=norm_sigma, tilt=tilt, peak_logit=peak_logit, seed=seed)
    budget = int(budget)
    if mode == "streaming":
        res = {p: fns["simulate_streaming"](sc, p, budget, 128) for p in POLICIES}
        oracle = None
    else:
        res = fns["evaluate_policies"](sc, budget)
        oracle = res["oracle"]
    kept = selections(fns, sc, budget)
    future = future_attention(fns["attention_weights"], sc)

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(7.6, 3.0), gridspec_kw={"width_ratios": [1, 1.5]})
    x = np.arange(len(POLICIES))
    mass = [res[p]["mass"] for p in POLICIES]
    err = [res[p]["output_error"] for p in POLICIES]
    ax1.bar(x - 0.2, mass, 0.4, color="tab:blue", label="mass")
    ax1.bar(x + 0.2, err, 0.4, color="tab:orange", label="output error")
    if oracle is not None:
        ax1.axhline(oracle["mass"], color="tab:blue", ls="--", lw=1, label="oracle mass")
        ax1.axhline(oracle["output_error"], color="tab:orange", ls=":", lw=1, label="oracle error")
    ax1.set_xticks(x, ["recency", "window", "TriAttn"], fontsize=8)
    ax1.set_ylim(0, max(1.05, max(err) * 1.1))
    ax1.set_title(f"{mode}, budget {budget}", fontsize=9)
    ax1.legend(fontsize=6, loc="upper right")

    pos = np.asarray(sc["key_positions"], dtype=float)
    for i, name in enumerate(POLICIES):
        ax2.vlines(pos[kept[name]], i - 0.4, i + 0.4, color=COLORS[name], lw=0.5, label=name)
    # spikes on a square-root scale, so that keys with a tenth of the top weight stay visible;
    # the y axis is inverted below, so a spike grows upwards from its row's lower edge
    row = len(POLICIES)
    height = np.sqrt(future / max(future.max(), 1e-300))
    ax2.vlines(pos, row + 0.4, row + 0.4 - 0.8 * height, color="black", lw=0.5, label="future attention")
    ax2.set_yticks(range(row + 1), ["recency", "window", "TriAttn", "future\nattention\n(sqrt)"], fontsize=8)
    ax2.set_xlim(0, pos.max() + 1)
    ax2.invert_yaxis()
    ax2.set_xlabel("key position")
    ax2.set_title("kept keys after one eviction at position %d" % (pos.max() + 1), fontsize=9)
    fig.tight_layout()

    lines = [f"{'policy':<13}{'mass':>7}{'error':>8}"]
    for p in POLICIES:
        lines.append(f"{p:<13}{res[p]['mass']:>7.3f}{res[p]['output_error']:>8.3f}")
    if oracle is not None:
        lines.append(f"{'oracle':<13}{oracle['mass']:>7.3f}{oracle['output_error']:>8.3f}")
    lines.append(f"KV memory reduction: {res['triattention']['memory_reduction']:.1f}x")
    return fig, "\n".join(lines)


def eviction_lab(fns: dict) -> Explorer:
    """The eviction lab: budget, noise, norm_sigma, tilt, peak_logit, seed and mode controls.

    Args:
        fns: the student's functions by name (``globals()`` of the notebook works), see
            :func:`draw_eviction`.

    Example: ``eviction_lab(globals()).show(interactive)``.
    """
    def slider(value, lo, hi, step, name):
        return widgets.FloatSlider(value=value, min=lo, max=hi, step=step, description=name,
                                   continuous_update=False)

    controls = {
        "budget": widgets.SelectionSlider(options=list(BUDGETS), value=256, description="budget",
                                          continuous_update=False),
        "noise": slider(0.8, 0.2, 2.0, 0.1, "noise"),
        "norm_sigma": slider(0.3, 0.0, 0.6, 0.05, "norm_sigma"),
        "tilt": slider(0.65, 0.0, 3.0, 0.05, "tilt"),
        "peak_logit": slider(8.0, 4.0, 16.0, 0.5, "peak_logit"),
        "seed": widgets.IntSlider(value=0, min=0, max=9, description="seed", continuous_update=False),
        "mode": widgets.ToggleButtons(options=["one-shot", "streaming"], value="one-shot", description="mode"),
    }
    fns = dict(fns)

    def draw(**values):
        return draw_eviction(fns, **values)

    return Explorer(draw, controls, title="Eviction lab")

"""Tests for the annealed-temperature explorer of problem 416 (mlpapers.diffusiongemma.temperature_explorer)."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402

from mlpapers.diffusiongemma.temperature_explorer import draw_temperature, temperature_explorer  # noqa: E402


# Small stand-ins for the functions the notebook passes in (the widget must work with any of them).
def schedule(n, t_max=0.8, t_min=0.4, exponent=1.0):
    if t_max < t_min:
        raise ValueError("t_max must be >= t_min")
    return t_min + (t_max - t_min) * (1 - (np.arange(n) / n) ** exponent)


def shape(z, t):
    return np.asarray(z, float) / t


def entropy(z):
    p = np.exp(z - z.max(-1, keepdims=True))
    p /= p.sum(-1, keepdims=True)
    return -(p * np.log(np.where(p > 0, p, 1))).sum(-1)


def accept(h, gamma):
    order = np.argsort(h, kind="stable")
    s = h[order]
    out = np.zeros(h.shape, bool)
    out[order] = (np.cumsum(s) - s) <= gamma
    return out


RAW = np.random.default_rng(0).normal(size=(1, 12, 6)) * 2


def test_draw_plots_the_schedule_and_acceptance():
    fig, text = draw_temperature(schedule, shape, entropy, accept, RAW, num_steps=6)
    ax_t = fig.axes[0]
    np.testing.assert_allclose(ax_t.lines[0].get_ydata(), schedule(6))
    bars = [p.get_height() for p in fig.axes[1].patches]
    assert len(bars) == 6 and bars == sorted(bars)        # colder steps accept at least as many tokens
    assert "T_0 = 0.8000" in text and "T_(N-1) = 0.4667" in text


def test_controls_redraw_and_bad_settings_are_reported():
    ex = temperature_explorer(schedule, shape, entropy, accept, RAW)
    assert len(ex.figure.axes[0].lines[0].get_ydata()) == 48
    ex.controls["num_steps"].value = 10
    assert len(ex.figure.axes[0].lines[0].get_ydata()) == 10
    ex.controls["gamma"].value = 2.0
    assert "accepted" in ex.readout
    ex.controls["t_max"].value = 0.2                      # below t_min: the schedule raises
    assert "raised ValueError" in ex.readout

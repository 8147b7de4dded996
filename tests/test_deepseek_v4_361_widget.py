"""Tests for problem 361's explorer (spectrum of Newton-Schulz iterates): drive the controls, check what is drawn."""
import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from mlpapers.deepseek_v4 import muon_widget as mw
from mlpapers.figures import reference
from coursekit import quickest_redraw

given = reference("deepseek_v4")  # the instructor's given module, loaded by path

V4 = "V4 hybrid (8 quintic + 2 stabilising)"
KELLER = "Keller (5 quintic)"
CUBIC = "cubic (1.5, -0.5, 0) x 10"


def _explorer():
    return mw.make_spectrum_explorer(given.newton_schulz, given.ns_scalar_map)


def _by_gid(fig, gid):
    return [a for ax in fig.axes for a in ax.findobj() if getattr(a, "get_gid", lambda: None)() == gid]


def _spectrum(fig):
    """Heights of the histogram bars (one per bin of width 0.05 on [0, 1.5])."""
    return np.array([p.get_height() for p in _by_gid(fig, "spectrum")])


def test_schedules_are_the_papers():
    # V4 §2.4: 8 quintic steps with Keller's coefficients, then 2 stabilising steps.
    assert mw.SCHEDULES[V4] == given.v4_ns_schedule()
    assert mw.SCHEDULES[KELLER] == [given.QUINTIC_COEFFS] * 5
    assert mw.SCHEDULES[CUBIC] == [(1.5, -0.5, 0.0)] * 10
    s = np.linalg.svd(mw.ill_conditioned(), compute_uv=False)
    assert mw.ill_conditioned().shape == (64, 32)
    np.testing.assert_allclose(s, np.logspace(0, -5, 32), rtol=1e-10)


def test_controls_and_default_view():
    e = _explorer()
    assert set(e.controls) == {"k", "schedule"}
    assert (e.controls["k"].min, e.controls["k"].max, e.controls["k"].value) == (0, 10, 10)
    assert list(e.controls["schedule"].options) == [V4, KELLER, CUBIC]
    assert e.controls["k"].continuous_update is False
    # after the full V4 schedule, 28 of the 32 singular values sit within 1e-2 of 1 (x0 >= 2.31e-5)
    assert "k = 10" in e.readout and "28 of 32 within 1e-2 of 1" in e.readout
    assert len(_by_gid(e.figure, "map_current")) == 1
    assert len([a for a in e.figure.axes[0].lines if str(a.get_gid()).startswith("map_step_")]) == 9
    assert _spectrum(e.figure).sum() == 32


def test_curve_is_the_scalar_map_of_the_first_k_steps():
    e = _explorer()
    for schedule, k in ((V4, 3), (KELLER, 5), (CUBIC, 7), (V4, 9)):
        e.controls["schedule"].value = schedule
        e.controls["k"].value = k
        line = _by_gid(e.figure, "map_current")[0]
        x = np.asarray(line.get_xdata())
        assert x[0] == pytest.approx(1e-6) and x[-1] == pytest.approx(1.0)
        want = given.ns_scalar_map(x, mw.SCHEDULES[schedule][:k])
        np.testing.assert_allclose(line.get_ydata(), want, rtol=1e-12)
        assert e.figure.axes[0].get_xscale() == "log"
        assert f"k = {k}" in e.readout


def test_histogram_counts_the_singular_values_of_the_iterate():
    e = _explorer()
    G = mw.ill_conditioned()
    for schedule, k in ((V4, 10), (KELLER, 5), (V4, 8), (CUBIC, 2)):
        e.controls["schedule"].value = schedule
        e.controls["k"].value = k
        sv = np.linalg.svd(given.newton_schulz(G, mw.SCHEDULES[schedule][:k]), compute_uv=False)
        want, _ = np.histogram(np.clip(sv, 0, 1.5), bins=np.linspace(0, 1.5, 31))
        np.testing.assert_array_equal(_spectrum(e.figure), want)
        predicted = _by_gid(e.figure, "predicted")[0].get_xdata()
        np.testing.assert_allclose(np.sort(predicted), np.sort(np.clip(sv, 0, 1.5)), atol=1e-9)
        assert float(e.readout.rsplit(" ", 1)[1]) < 1e-9      # largest gap to the prediction


def test_keller_leaves_a_band_and_v4_pins_at_one():
    e = _explorer()
    e.controls["schedule"].value = KELLER
    assert "0 of 32 within 1e-2 of 1" in e.readout
    assert "1.20146]" in e.readout                            # Keller's overshoot above 1.2
    # a slider beyond the schedule's length stops at its last step
    e.controls["k"].value = 9
    assert "k = 5:" in e.readout
    e.controls["schedule"].value = V4
    assert "k = 9:" in e.readout


def test_step_zero_shows_the_normalised_spectrum():
    e = _explorer()
    e.controls["k"].value = 0
    G = mw.ill_conditioned()
    line = _by_gid(e.figure, "map_current")[0]
    np.testing.assert_allclose(line.get_ydata(), line.get_xdata())         # identity map
    x0 = _by_gid(e.figure, "rug")[0].get_xdata()
    np.testing.assert_allclose(np.sort(x0)[::-1], np.logspace(0, -5, 32) / (np.linalg.norm(G) + 1e-7), rtol=1e-10)
    assert "k = 0:" in e.readout


def test_drawn_from_the_functions_passed_in():
    # The widget has no Newton-Schulz of its own: a wrong map (identity) is what it draws.
    def identity_map(sigma, coeffs):
        return np.asarray(sigma, dtype=float)

    e = mw.make_spectrum_explorer(given.newton_schulz, identity_map)
    line = _by_gid(e.figure, "map_current")[0]
    np.testing.assert_allclose(line.get_ydata(), line.get_xdata())
    assert float(e.readout.rsplit(" ", 1)[1]) > 0.1           # prediction no longer matches the matrix


def test_redraw_is_fast():
    """A redraw (NS on 64 x 32, ten curves, no rendering) takes < 0.5 s; best of five."""
    e = _explorer()
    assert quickest_redraw(e, "k", (3, 10, 6, 1, 8)) < 0.5
    assert e.redraws == 6


def test_show_static_only_when_unattended(monkeypatch):
    shown = []
    monkeypatch.setattr(mw.Explorer, "show", lambda self, interactive=True: shown.append(interactive))
    _explorer().show(False)
    assert shown == [False]

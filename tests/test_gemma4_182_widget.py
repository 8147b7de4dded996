"""Tests for the problem 182 explorer: drive the controls from Python, check what is drawn."""
import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from mlpapers.gemma4 import rmsnorm_widget as rw
from mlpapers.figures import reference
from coursekit import quickest_redraw

given = reference("gemma4")  # the instructor's given module, loaded by path


def _by_gid(fig, gid):
    return [a for ax in fig.axes for a in ax.findobj() if getattr(a, "get_gid", lambda: None)() == gid]


def _heights(fig, gid):
    return np.array([p.get_height() for p in _by_gid(fig, gid)])


def test_example_vector_has_rms_one_and_controls():
    assert np.mean(rw.EXAMPLE_VECTOR ** 2) == 1.0
    e = rw.make_rmsnorm_explorer(given.rms_norm)
    assert set(e.controls) == {"entry", "weight", "eps", "scale"}
    assert all(c.continuous_update is False for c in e.controls.values())
    assert e.controls["eps"].value == pytest.approx(1e-6)


def test_default_bars_gemma4_is_identity_and_gemma3_doubles():
    # x has RMS 1 and w = 1: Gemma 4 returns x (up to eps = 1e-6), the 1 + w reading returns 2 x
    e = rw.make_rmsnorm_explorer(given.rms_norm)
    fig = e.figure
    np.testing.assert_allclose(_heights(fig, "input"), rw.EXAMPLE_VECTOR)
    np.testing.assert_allclose(_heights(fig, "gemma4"), rw.EXAMPLE_VECTOR, rtol=1e-6)
    np.testing.assert_allclose(_heights(fig, "gemma3"), 2 * rw.EXAMPLE_VECTOR, rtol=1e-6)
    assert "Gemma 4 output[0] = 1.5000, Gemma 3 reading (1 + w) = 3.0000" in e.readout


def test_weight_slider_scales_only_the_selected_entry():
    e = rw.make_rmsnorm_explorer(given.rms_norm)
    e.controls["entry"].value = 4
    e.controls["weight"].value = 0.0
    g4, g3 = _heights(e.figure, "gemma4"), _heights(e.figure, "gemma3")
    assert g4[4] == 0.0                                   # Gemma 4: w = 0 silences the entry
    assert g3[4] == pytest.approx(-1.75, rel=1e-6)        # Gemma 3: w = 0 is scale 1
    others = np.arange(8) != 4
    np.testing.assert_allclose(g4[others], rw.EXAMPLE_VECTOR[others], rtol=1e-6)
    e.controls["weight"].value = 2.5
    g4, g3 = _heights(e.figure, "gemma4"), _heights(e.figure, "gemma3")
    assert g4[4] == pytest.approx(-1.75 * 2.5, rel=1e-6) and g3[4] == pytest.approx(-1.75 * 3.5, rel=1e-6)
    assert "w[4] = 2.50" in e.readout
    # the highlighted band follows the entry
    band = _by_gid(e.figure, "selected_entry")[0]
    assert band.get_x() == pytest.approx(3.5) and band.get_width() == pytest.approx(1.0)


def test_eps_and_scale_move_the_marker_along_the_closed_form():
    e = rw.make_rmsnorm_explorer(given.rms_norm)
    e.controls["eps"].value = 1.0                          # eps = mean(x^2): RMS drops to 1/sqrt(2)
    marker = _by_gid(e.figure, "eps_marker")[0]
    assert marker.get_xdata()[0] == pytest.approx(1.0)
    assert marker.get_ydata()[0] == pytest.approx(1 / np.sqrt(2))
    assert "RMS of rms_norm(x) without weight: 0.707107 (closed form 0.707107)" in e.readout
    dots = _by_gid(e.figure, "rms_curve")[0].get_ydata()
    line = _by_gid(e.figure, "closed_form")[0].get_ydata()
    assert len(dots) == len(rw.EPS_GRID) == 41
    np.testing.assert_allclose(dots, line, rtol=1e-9)
    # scaling x by 10 moves mean(x^2) to 100: at eps = 1 the output is back to RMS ~ 1
    e.controls["scale"].value = 10.0
    assert _by_gid(e.figure, "mean_square")[0].get_xdata()[0] == pytest.approx(100.0)
    assert _by_gid(e.figure, "eps_marker")[0].get_ydata()[0] == pytest.approx(np.sqrt(100 / 101))
    np.testing.assert_allclose(_heights(e.figure, "input"), 10 * rw.EXAMPLE_VECTOR)
    assert e.redraws == 3


def test_everything_drawn_comes_from_the_function_passed_in():
    # Gemma 3's norm passed as "rms_norm": the blue bars double and the dots leave the closed form.
    def gemma3_style(x, weight=None, eps=1e-6):
        y = np.asarray(x, float) / np.sqrt(np.mean(np.asarray(x, float) ** 2, axis=-1, keepdims=True) + eps)
        return y if weight is None else y * (1 + np.asarray(weight))

    e = rw.make_rmsnorm_explorer(gemma3_style)
    np.testing.assert_allclose(_heights(e.figure, "gemma4"), 2 * rw.EXAMPLE_VECTOR, rtol=1e-6)

    def shifted(x, weight=None, eps=1e-6):
        return np.asarray(x, float) / (np.sqrt(np.mean(np.asarray(x, float) ** 2)) + eps)

    e = rw.make_rmsnorm_explorer(shifted)
    dots = _by_gid(e.figure, "rms_curve")[0].get_ydata()
    line = _by_gid(e.figure, "closed_form")[0].get_ydata()
    assert not np.allclose(dots, line, rtol=1e-3)


def test_redraw_is_fast():
    """A redraw (43 calls of rms_norm, two panels, no rendering) takes < 0.5 s; best of five."""
    e = rw.make_rmsnorm_explorer(given.rms_norm)
    assert quickest_redraw(e, "weight", (0.5, 1.5, 2.0, -0.5, 1.0)) < 0.5


def test_show_static_only_when_unattended(monkeypatch):
    shown = []
    monkeypatch.setattr(rw.Explorer, "show", lambda self, interactive=True: shown.append(interactive))
    rw.make_rmsnorm_explorer(given.rms_norm).show(False)
    assert shown == [False]

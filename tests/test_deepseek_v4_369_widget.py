"""Tests for the mHC gain explorer of problem 369: drive the controls from Python, check what is drawn."""
import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from mlpapers.deepseek_v4 import mhc_widget as mw
from mlpapers.figures import reference
from coursekit import quickest_redraw

given = reference("deepseek_v4")  # the instructor's given module, loaded by path


def _explorer():
    return mw.make_mhc_gain_explorer(given.gain_curve, given.sinkhorn_knopp)


def _by_gid(fig, gid):
    return [a for ax in fig.axes for a in ax.findobj() if getattr(a, "get_gid", lambda: None)() == gid]


def _y(fig, gid):
    return np.asarray(_by_gid(fig, gid)[0].get_ydata(), dtype=float)


def test_controls_and_their_ranges():
    e = _explorer()
    assert set(e.controls) == {"sigma", "depth", "n_iters", "projection", "s"}
    c = e.controls
    assert (c["sigma"].min, c["sigma"].max, c["sigma"].value) == (0.0, 0.5, 0.3)
    assert (c["depth"].min, c["depth"].max, c["depth"].value) == (1, 120, 60)
    assert (c["n_iters"].min, c["n_iters"].max, c["n_iters"].value) == (1, 100, 20)
    assert c["projection"].value is True and c["s"].value == 6.0
    assert all(w.continuous_update is False for n, w in c.items() if n != "projection")


def test_default_figure_is_the_headline():
    # the chapter's table (spec section 2.2): HC 1906.7773799748 / 1494.8310207654 at depth 60, mHC 1
    e = _explorer()
    fig = e.figure
    hc_f, hc_b = _y(fig, "hc_forward"), _y(fig, "hc_backward")
    assert hc_f.shape == (60,) and hc_b.shape == (60,)
    assert hc_f[-1] == pytest.approx(1906.7773799748, rel=1e-9)
    assert hc_b[-1] == pytest.approx(1494.8310207654, rel=1e-9)
    assert hc_f[0] == pytest.approx(1.9445036309, rel=1e-9)
    np.testing.assert_allclose(_y(fig, "mhc_forward"), 1.0, rtol=0, atol=1e-12)
    np.testing.assert_allclose(_y(fig, "mhc_backward"), 1.0, rtol=0, atol=1e-9)
    assert fig.axes[0].get_yscale() == "log" and fig.axes[1].get_xscale() == "log"
    assert "HC forward gain 1906.78, backward 1494.83" in e.readout
    assert "mHC (20 sweeps) forward 1.000000, backward 1.000000" in e.readout


def test_near_identity_panel_matches_the_spec_values():
    # spec 2.2: 6 I + N(0, 1) over 60 layers, backward gain 1.105 / 1.0325 / 1.010 after 1 / 20 / 100 sweeps
    e = _explorer()
    back = _y(e.figure, "near_backward")
    assert back.shape == (len(mw.ITERATION_GRID),)
    grid = list(mw.ITERATION_GRID)
    assert back[grid.index(1)] == pytest.approx(1.105, abs=6e-4)
    assert back[grid.index(20)] == pytest.approx(1.0325, abs=1e-4)
    assert back[grid.index(100)] == pytest.approx(1.010, abs=2e-4)
    np.testing.assert_allclose(_y(e.figure, "near_forward"), 1.0, rtol=0, atol=1e-12)
    star = _by_gid(e.figure, "current_iters")[0]
    assert star.get_xdata()[0] == 20 and star.get_ydata()[0] == pytest.approx(back[grid.index(20)], rel=1e-12)
    assert "backward gain at depth 60 is 1.0325 after 20 sweeps" in e.readout
    # the star follows the sweeps slider, and the mHC curves on the left change with it
    e.controls["n_iters"].value = 100
    star = _by_gid(e.figure, "current_iters")[0]
    assert star.get_xdata()[0] == 100 and star.get_ydata()[0] == pytest.approx(1.010, abs=2e-4)
    assert "mHC (100 sweeps)" in e.readout


def test_projection_toggle_removes_the_mhc_curves():
    e = _explorer()
    e.controls["projection"].value = False
    assert not _by_gid(e.figure, "mhc_forward") and not _by_gid(e.figure, "mhc_backward")
    assert _by_gid(e.figure, "hc_forward") and "projection off" in e.readout
    e.controls["projection"].value = True
    assert _by_gid(e.figure, "mhc_forward")


def test_depth_extends_the_same_draw_and_sigma_zero_is_the_identity():
    e = _explorer()
    long = _y(e.figure, "hc_forward")
    e.controls["depth"].value = 30
    short = _y(e.figure, "hc_forward")
    assert short.shape == (30,)
    np.testing.assert_allclose(short, long[:30], rtol=1e-12)
    assert short[-1] == pytest.approx(34.5052897733, rel=1e-9)
    e.controls["depth"].value = 120
    assert _y(e.figure, "hc_forward").shape == (120,)
    e.controls["sigma"].value = 0.0
    np.testing.assert_allclose(_y(e.figure, "hc_forward"), 1.0, rtol=0, atol=1e-12)
    np.testing.assert_allclose(_y(e.figure, "hc_backward"), 1.0, rtol=0, atol=1e-12)


def test_s_slider_changes_only_the_right_panel():
    e = _explorer()
    left, right = _y(e.figure, "hc_forward"), _y(e.figure, "near_backward")
    e.controls["s"].value = 2.0
    np.testing.assert_allclose(_y(e.figure, "hc_forward"), left, rtol=0)
    logits = 2.0 * np.eye(4) + np.random.default_rng(0).standard_normal((60, 4, 4))
    want = [given.gain_curve(given.sinkhorn_knopp(logits, t))[-1, 1] for t in mw.ITERATION_GRID]
    np.testing.assert_allclose(_y(e.figure, "near_backward"), want, rtol=1e-12)
    assert not np.allclose(_y(e.figure, "near_backward"), right)


def test_the_widget_draws_what_the_students_gain_curve_returns():
    calls = []

    def fake_gain_curve(B_stack):
        calls.append(np.shape(B_stack))
        return np.full((np.shape(B_stack)[0], 2), 7.0)

    e = mw.make_mhc_gain_explorer(fake_gain_curve, given.sinkhorn_knopp)
    np.testing.assert_allclose(_y(e.figure, "hc_forward"), 7.0)
    np.testing.assert_allclose(_y(e.figure, "mhc_backward"), 7.0)
    np.testing.assert_allclose(_y(e.figure, "near_backward"), 7.0)
    assert calls and all(shape == (60, 4, 4) for shape in calls)


def test_redraw_is_fast():
    e = _explorer()
    e.controls["depth"].value = 120
    assert quickest_redraw(e, "n_iters", (100, 60, 100)) < 1.0
    assert e.redraws == 5

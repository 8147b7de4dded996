"""Tests for the problem 183 explorer (proportional-RoPE angle map): drive the controls, check what is drawn.

Expected values come from closed forms written here: the angle of pair i at position m is
m * theta^(-2i/d) wrapped to (-pi, pi], and for a query and key with the same content v the score
at distance D is sum_i (v_i^2 + v_{i+d/2}^2) cos(D w_i) (equation (4) with b_i = 0).
"""
import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from mlpapers.gemma4 import rope_widget as rw
from mlpapers.figures import reference
from coursekit import quickest_redraw

given = reference("gemma4")  # the instructor's given module, loaded by path

D, HALF = 512, 256


def _by_gid(fig, gid):
    return [a for ax in fig.axes for a in ax.findobj() if getattr(a, "get_gid", lambda: None)() == gid]


def _omega(p=1.0):
    n = int(p * D // 2)
    w = np.zeros(HALF)
    w[:n] = 1e6 ** (-2.0 * np.arange(n) / D)
    return w


def _same_angle(a, b):
    """Angles equal modulo 2 pi (compared through cos and sin, so the wrap at +-pi does not matter)."""
    return np.allclose(np.cos(a), np.cos(b), atol=1e-7) and np.allclose(np.sin(a), np.sin(b), atol=1e-7)


def _explorer():
    return rw.make_rope_explorer(given.rope_inv_freq, given.apply_rope)


def test_controls_and_defaults():
    e = _explorer()
    assert set(e.controls) == {"p", "m"}
    assert all(c.continuous_update is False for c in e.controls.values())
    assert e.controls["p"].value == 0.25 and e.controls["m"].value == 0
    assert e.controls["m"].max == 131072
    assert rw.DISTANCES[0] == 0 and rw.DISTANCES[-1] == 131072 and np.all(np.diff(rw.DISTANCES) > 0)


def test_angle_maps_at_the_published_setting():
    e = _explorer()
    fig = e.figure
    default = np.asarray(_by_gid(fig, "angle_default")[0].get_array())
    prop = np.asarray(_by_gid(fig, "angle_proportional")[0].get_array())
    assert default.shape == prop.shape == (HALF, rw.WINDOW)
    t = np.arange(rw.WINDOW)
    assert _same_angle(default, _omega()[:, None] * t[None, :])
    # proportional: the 64 fast rows equal default's, every other row never turns
    assert np.array_equal(prop[64:], np.zeros((HALF - 64, rw.WINDOW)))
    assert _same_angle(prop[:64], default[:64])
    assert np.any(np.abs(default[64:, 1:]) > 1e-6)
    assert _by_gid(fig, "n_rot_line")[0].get_ydata()[0] == pytest.approx(63.5)
    assert "64 of 256 pairs rotate (dims 0–63 and 256–319)" in e.readout
    assert "slowest period 188 tokens" in e.readout


def test_scores_follow_equation_4_and_plateau_at_the_still_share():
    e = _explorer()
    v = rw.content_vector()
    a = v[:HALF] ** 2 + v[HALF:] ** 2                                 # a_i for q = k = v
    for gid, w in (("score_default", _omega()), ("score_proportional", _omega(0.25))):
        line = _by_gid(e.figure, gid)[0]
        want = np.cos(np.outer(rw.DISTANCES, w)) @ a
        np.testing.assert_allclose(line.get_ydata(), want, rtol=1e-9, atol=1e-9)
        assert line.get_ydata()[0] == pytest.approx(1.0)
    still = float(a[64:].sum())
    prop = _by_gid(e.figure, "score_proportional")[0].get_ydata()
    default = _by_gid(e.figure, "score_default")[0].get_ydata()
    assert any(ln.get_ydata()[0] == pytest.approx(still) for ln in e.figure.axes[2].lines)
    # far away the proportional score stays near the still share, the default one has decayed below it
    assert abs(np.mean(prop[-20:]) - still) < 0.1 and np.mean(default[-20:]) < still - 0.3
    assert f"position-free share {still:.3f}" in e.readout


def test_moving_m_shifts_the_window_but_not_the_scores():
    e = _explorer()
    before = {g: _by_gid(e.figure, g)[0].get_ydata().copy() for g in ("score_default", "score_proportional")}
    m = 99968
    e.controls["m"].value = m
    fig = e.figure
    default = np.asarray(_by_gid(fig, "angle_default")[0].get_array())
    prop = np.asarray(_by_gid(fig, "angle_proportional")[0].get_array())
    positions = m + np.arange(rw.WINDOW)
    assert _same_angle(default, _omega()[:, None] * positions[None, :])
    assert np.array_equal(prop[64:], np.zeros((HALF - 64, rw.WINDOW)))
    assert np.abs(default[200]).min() > 1e-3                           # slow pairs have turned by now
    for g, ys in before.items():
        np.testing.assert_allclose(_by_gid(fig, g)[0].get_ydata(), ys, atol=1e-9)
    drift = float(e.readout.split("changes the scores by ")[1].rstrip("."))
    assert drift < 1e-9
    assert "m = 99,968" in e.readout


@pytest.mark.parametrize("p, n_rot", [(0.5, 128), (0.05, 12), (1.0, 256)])
def test_p_slider_moves_the_boundary(p, n_rot):
    e = _explorer()
    e.controls["p"].value = p
    fig = e.figure
    prop = np.asarray(_by_gid(fig, "angle_proportional")[0].get_array())
    assert np.array_equal(prop[n_rot:], np.zeros((HALF - n_rot, rw.WINDOW)))
    assert np.all(np.abs(prop[:n_rot, 1]) > 0)
    assert _by_gid(fig, "n_rot_line")[0].get_ydata()[0] == pytest.approx(n_rot - 0.5)
    assert f"{n_rot} of 256 pairs rotate" in e.readout
    if p == 1.0:
        np.testing.assert_allclose(_by_gid(fig, "score_proportional")[0].get_ydata(),
                                   _by_gid(fig, "score_default")[0].get_ydata(), atol=1e-12)


def test_it_draws_the_students_functions():
    """A rope_inv_freq that ignores the proportional rule shows every pair turning in the middle map."""
    e = rw.make_rope_explorer(lambda d, th, p=1.0, kind="default": given.rope_inv_freq(d, th), given.apply_rope)
    prop = np.asarray(_by_gid(e.figure, "angle_proportional")[0].get_array())
    assert np.any(np.abs(prop[64:, 1:]) > 1e-6)
    assert "256 of 256 pairs rotate" in e.readout

    def interleaved(x, positions, inv_freq):                        # GPT-J neighbours instead of rotate-half
        x = np.asarray(x, dtype=float)
        ang = np.asarray(positions)[:, None] * np.asarray(inv_freq)[None, :]
        c, s = np.cos(ang)[:, None, :], np.sin(ang)[:, None, :]
        out = np.empty_like(x)
        out[..., 0::2] = x[..., 0::2] * c - x[..., 1::2] * s
        out[..., 1::2] = x[..., 1::2] * c + x[..., 0::2] * s
        return out

    wrong = rw.make_rope_explorer(given.rope_inv_freq, interleaved)
    got = np.asarray(_by_gid(wrong.figure, "angle_default")[0].get_array())
    assert not _same_angle(got, _omega()[:, None] * np.arange(rw.WINDOW)[None, :])


def test_redraw_is_fast():
    e = _explorer()
    e.controls["m"].value = 128  # one redraw first: first-use costs (fonts, caches) are not the widget's
    assert quickest_redraw(e, "p", (0.75, 0.5)) < 1.0
    assert quickest_redraw(e, "m", (4096, 65536)) < 1.0
    assert e.redraws == 6

"""Tests for the TriAttention explorers: drive the controls from Python, check what is drawn."""
import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from mlpapers.triattention import concentration_widget as cw
from mlpapers.triattention import rope_widget as rw
from mlpapers.figures import reference
from coursekit import quickest_redraw

given = reference("triattention")  # the instructor's given module, loaded by path


# Test-only stand-ins for problem 287's functions (independent loops, not released).
def _empirical(q, k, distances, base=10000.0):
    n = q.shape[0]
    pos = np.arange(n)
    qr, kr = given.apply_rope(q, pos, base), given.apply_rope(k, pos, base)
    mean, std = [], []
    for D in np.asarray(distances):
        logits = np.einsum("td,td->t", qr[D:], kr[:n - D])
        mean.append(logits.mean())
        std.append(logits.std())
    return np.array(mean), np.array(std)


def _series(qc, kc, distances, base=10000.0):
    F = qc.shape[0]
    w = base ** (-np.arange(F) / F)
    D = np.asarray(distances, dtype=float)[..., None]
    return np.sum(np.abs(qc) * np.abs(kc) * np.cos(w * D + np.angle(qc * np.conj(kc))), axis=-1)


def _preferred(qc, kc, max_distance, base=10000.0):
    return int(np.argmax(_series(qc, kc, np.arange(max_distance + 1), base)))


def _curve_286(qc, kc, distances, base=10000.0):
    """What problem 286's notebook passes: 285's trig_logit on the centres written as real vectors."""
    return given.trig_logit(given.from_complex_pairs(qc), given.from_complex_pairs(kc), distances, base)


def _explorer_286():
    return cw.make_concentration_explorer(given.apply_rope, given.mean_resultant_length, given.qk_centre,
                                          _curve_286)


def _explorer_287():
    return cw.make_concentration_explorer(given.apply_rope, given.mean_resultant_length, given.qk_centre, _series,
                                          empirical_distance_logits=_empirical, preferred_distance=_preferred)


def _by_gid(fig, gid):
    return [a for ax in fig.axes for a in ax.findobj() if getattr(a, "get_gid", lambda: None)() == gid]


def test_distances_and_default_pair():
    assert len(cw.DISTANCES) == 47 and cw.DISTANCES[0] == 1 and cw.DISTANCES[-1] == 511
    e = _explorer_286()
    assert e.controls["pair"].value == 21
    assert {"pair", "q_noise", "k_noise", "tilt", "jitter", "seed", "base"} == set(e.controls)
    assert all(getattr(c, "continuous_update", False) is False for n, c in e.controls.items() if n != "base")


def test_points_and_centres_follow_the_pair_control():
    e = _explorer_286()
    qc, kc, q, k = cw.scenario(0)
    for f in (21, 0, 31):
        e.controls["pair"].value = f
        fig = e.figure
        pts = _by_gid(fig, "q_points_pre")[0].get_offsets()
        assert pts.shape == (512, 2)
        np.testing.assert_allclose(pts[:, 0], q[:, f])
        np.testing.assert_allclose(pts[:, 1], q[:, f + 32])
        post = _by_gid(fig, "k_points_post")[0].get_offsets()
        z = (k[:, f] + 1j * k[:, f + 32]) * np.exp(1j * np.arange(512) * 10000.0 ** (-2 * f / 64))
        np.testing.assert_allclose(post[:, 0], z.real, atol=1e-9)
        np.testing.assert_allclose(post[:, 1], z.imag, atol=1e-9)
        star = _by_gid(fig, "q_centre_pre")[0]
        assert star.get_xdata()[0] == pytest.approx(q[:, f].mean())
        assert star.get_ydata()[0] == pytest.approx(q[:, f + 32].mean())
        # outline sits on the selected pair
        assert _by_gid(fig, "selected_pair")[0].get_x() == pytest.approx(f - 0.5)
        assert f"pair {f}:" in e.readout


def test_R_bars_match_the_statistic():
    e = _explorer_286()
    fig = e.figure
    _, _, q, k = cw.scenario(0)
    for who, x in (("Q", q), ("K", k)):
        pre = [p.get_height() for p in _by_gid(fig, f"R_{who}_pre")]
        post = [p.get_height() for p in _by_gid(fig, f"R_{who}_post")]
        assert len(pre) == 32 and len(post) == 32
        np.testing.assert_allclose(pre, given.mean_resultant_length(x))
        np.testing.assert_allclose(post, given.mean_resultant_length(x, np.arange(512)))
    # the explorer's main message: fast pairs lose their concentration after RoPE
    assert np.median(pre[:8]) > 0.3 > np.median(post[:8])


def test_logit_panel_286_mode():
    e = _explorer_286()
    fig = e.figure
    series = _by_gid(fig, "series")[0]
    assert len(series.get_xdata()) == 47
    _, _, q, k = cw.scenario(0)
    want = _series(given.qk_centre(q), given.qk_centre(k), cw.DISTANCES) / 8
    np.testing.assert_allclose(series.get_ydata(), want, rtol=1e-9)
    assert series.get_ydata()[0] == pytest.approx(7.30, abs=0.01)
    assert _by_gid(fig, "individual_logits") and not _by_gid(fig, "measured_band")
    assert fig.axes[3].get_xscale() == "log"
    assert "R_Q" in fig.axes[0].texts[0].get_text()
    assert "median R over pairs: Q 0.766 → 0.115" in e.readout


def test_pair_term_is_the_selected_pairs_cosine():
    e = _explorer_286()
    _, _, q, k = cw.scenario(0)
    qc, kc = given.qk_centre(q), given.qk_centre(k)
    for f in (21, 0):
        e.controls["pair"].value = f
        term = _by_gid(e.figure, "pair_term")[0].get_ydata()
        w = 10000.0 ** (-f / 32)
        want = np.abs(qc[f]) * np.abs(kc[f]) * np.cos(w * cw.DISTANCES + np.angle(qc[f] * np.conj(kc[f]))) / 8
        np.testing.assert_allclose(term, want, rtol=1e-9, atol=1e-12)


def test_curves_come_from_the_function_passed_in():
    # The widget computes no series of its own: a wrong curve (constant 8 per non-zero pair) is what it draws.
    def count_pairs(qc, kc, distances, base=10000.0):
        return np.full(np.shape(distances), 8.0 * np.count_nonzero(qc))

    e = cw.make_concentration_explorer(given.apply_rope, given.mean_resultant_length, given.qk_centre, count_pairs)
    np.testing.assert_allclose(_by_gid(e.figure, "series")[0].get_ydata(), 32.0)
    np.testing.assert_allclose(_by_gid(e.figure, "pair_term")[0].get_ydata(), 1.0)


def test_logit_panel_287_mode_and_readout():
    e = _explorer_287()
    fig = e.figure
    mean_line = _by_gid(fig, "measured_mean")[0]
    m, s = _empirical(*cw.scenario(0)[2:], cw.DISTANCES)
    np.testing.assert_allclose(mean_line.get_ydata(), m / 8)
    assert _by_gid(fig, "measured_band")
    assert np.mean(s / 8) == pytest.approx(1.65, abs=0.01)
    assert "relative RMS gap between measured mean and series: 0.118" in e.readout
    assert "preferred distance (true centres, 0…511): 0" in e.readout
    # a large phase jitter breaks the recency preference: the curve no longer peaks at the smallest distance
    e.controls["jitter"].value = 3.0
    e.controls["seed"].value = 3
    assert "relative RMS gap" in e.readout
    series = _by_gid(e.figure, "series")[0].get_ydata()
    assert series[0] < 0.9 * np.max(series) or np.argmax(series) > 0


def test_noise_and_base_controls_change_the_data():
    e = _explorer_286()
    before = [p.get_height() for p in _by_gid(e.figure, "R_Q_pre")]
    e.controls["q_noise"].value = 2.0
    after = [p.get_height() for p in _by_gid(e.figure, "R_Q_pre")]
    assert np.median(after) < np.median(before) - 0.2
    e.controls["q_noise"].value = 0.0
    np.testing.assert_allclose([p.get_height() for p in _by_gid(e.figure, "R_Q_pre")], 1.0)
    post_1e4 = [p.get_height() for p in _by_gid(e.figure, "R_Q_post")]
    e.controls["base"].value = 1e6
    post_1e6 = [p.get_height() for p in _by_gid(e.figure, "R_Q_post")]
    assert np.mean(post_1e6) > np.mean(post_1e4)   # slower pairs keep more concentration
    assert e.redraws == 4


def test_redraw_is_fast():
    """A redraw (data, four panels, no rendering) takes < 0.5 s; best of five, the machine may be busy."""
    e = _explorer_287()
    assert quickest_redraw(e, "pair", (3, 10, 30, 5, 21)) < 0.5


def test_show_static_only_when_unattended(monkeypatch):
    from IPython.display import display  # noqa: F401  (display works without a frontend)
    shown = []
    monkeypatch.setattr(cw.Explorer, "show", lambda self, interactive=True: shown.append(interactive))
    _explorer_286().show(False)
    assert shown == [False]


# --- rope_widget (problems 284, 285) -----------------------------------------------------------

def test_rotation_explorer_arrows_follow_t():
    e = rw.make_rotation_explorer(given.apply_rope, given.to_complex_pairs)
    e.controls["t"].value = 10
    fig = e.figure
    assert len(fig.axes) == 8
    z = given.to_complex_pairs(given.apply_rope(rw.EXAMPLE_VECTOR, 10.0))
    for f, ax in enumerate(fig.axes):
        arrow = [t for t in ax.texts if hasattr(t, "arrow_patch")][0]
        assert arrow.xy == pytest.approx((z[f].real, z[f].imag))
    assert "t = 10" in e.readout and "norms unchanged" in e.readout
    assert "pair 0 turned by 3.717 rad" in e.readout  # 10 mod 2 pi


def test_identity_explorer_direct_and_series_agree():
    q, k = np.array([1.0, 2.0, 3.0, 4.0]), np.array([0.5, -1.0, 2.0, 0.0])
    e = rw.make_identity_explorer(given.apply_rope, given.trig_logit, q, k)
    assert "series -6.465528" in e.readout
    e.controls["distance"].value = 0
    assert "series 4.500000" in e.readout
    gap = float(e.readout.rsplit(":", 1)[1])
    assert gap < 1e-10
    bars = [p.get_height() for p in e.figure.axes[1].patches]
    np.testing.assert_allclose(bars, [6.5, -2.0])

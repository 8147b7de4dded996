"""Tests for the Sinkhorn explorer of problem 360: drive the controls from Python, check what is drawn."""

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from mlpapers.deepseek_v4 import sinkhorn_widget as sw
from mlpapers.figures import reference

given = reference("deepseek_v4")  # the instructor's given module, loaded by path


def _explorer():
    return sw.make_sinkhorn_explorer(given.sinkhorn_knopp, given.sinkhorn_column_errors)


def _by_gid(fig, gid):
    return [a for ax in fig.axes for a in ax.findobj() if getattr(a, "get_gid", lambda: None)() == gid]


def _sums(fig, kind, n=4):
    return np.array([float(_by_gid(fig, f"{kind}_sum_{i}")[0].get_text()) for i in range(n)])


def test_controls_and_their_ranges():
    e = _explorer()
    assert set(e.controls) == {"t", "tau"}
    assert (e.controls["t"].min, e.controls["t"].max, e.controls["t"].value) == (0, 30, 1)
    assert [v for _, v in e.controls["tau"].options] == list(sw.TAUS) and e.controls["tau"].value == 1.0
    assert all(c.continuous_update is False for c in e.controls.values())


@pytest.mark.parametrize("t, tau", [(1, 1.0), (3, 1.0), (20, 0.3), (30, 5.0), (7, 0.1)])
def test_heat_map_is_the_students_matrix_after_t_sweeps(t, tau):
    e = _explorer()
    e.controls["tau"].value = tau
    e.controls["t"].value = t
    want = given.sinkhorn_knopp(sw.EXAMPLE_LOGITS / tau, t)
    image = _by_gid(e.figure, "matrix")[0]
    np.testing.assert_allclose(image.get_array(), want, rtol=1e-12)
    # rows are exact after every sweep; the printed column sums are the matrix's
    np.testing.assert_allclose(_sums(e.figure, "row"), 1.0, atol=5e-4)
    np.testing.assert_allclose(_sums(e.figure, "col"), want.sum(axis=0), atol=5e-4)
    assert f"after {t} sweep" in e.readout and f"τ = {tau:g}" in e.readout


def test_t_zero_shows_the_matrix_before_any_sweep():
    e = _explorer()
    e.controls["t"].value = 0
    L = sw.EXAMPLE_LOGITS
    np.testing.assert_allclose(_by_gid(e.figure, "matrix")[0].get_array(), np.exp(L - L.max()), rtol=1e-12)
    assert not _by_gid(e.figure, "current_sweep")
    assert "before any sweep" in e.readout


def test_error_panel_is_the_students_column_errors_on_a_log_axis():
    e = _explorer()
    for tau in (1.0, 0.2, 5.0):
        e.controls["tau"].value = tau
        e.controls["t"].value = 12
        want = given.sinkhorn_column_errors(sw.EXAMPLE_LOGITS / tau, sw.T_MAX)
        line = _by_gid(e.figure, "column_errors")[0]
        np.testing.assert_array_equal(line.get_xdata(), np.arange(1, 31))
        np.testing.assert_allclose(line.get_ydata(), np.maximum(want, sw.ERROR_FLOOR), rtol=1e-12)
        marker = _by_gid(e.figure, "current_sweep")[0]
        assert marker.get_xdata()[0] == 12
        assert marker.get_ydata()[0] == pytest.approx(max(want[11], sw.ERROR_FLOOR))
        assert line.axes.get_yscale() == "log"
        assert _by_gid(e.figure, "v4_t_max")[0].get_xdata()[0] == 20
        assert f"at V4's t_max = 20 it is {want[19]:.1e}" in e.readout


def test_small_temperature_slows_the_decay():
    """The explorer's message: sharper logits (near a permutation) converge more slowly."""
    e = _explorer()
    rates = {}
    for tau in (0.3, 1.0, 2.0):
        e.controls["tau"].value = tau
        rates[tau] = sw.decay_factor(_by_gid(e.figure, "column_errors")[0].get_ydata())
        assert f"×{rates[tau]:.3f} per sweep" in e.readout
    assert rates[0.3] > rates[1.0] > rates[2.0]
    assert rates[1.0] == pytest.approx(0.389, abs=0.005)     # sigma_2(B)^2 of the example's limit


def test_decay_factor():
    assert sw.decay_factor([1e-1, 1e-2]) == pytest.approx(0.1)
    assert sw.decay_factor([1e-1, 1e-3, 1e-15, 0.0]) == pytest.approx(1e-2)
    assert np.isnan(sw.decay_factor([1e-3, 0.0]))


def test_show_unattended_draws_a_static_figure_and_a_readout(monkeypatch):
    shown = []
    monkeypatch.setattr("mlpapers.widgetkit.display", lambda obj, **kw: shown.append(obj))
    e = _explorer()
    e.show(interactive=False)
    assert len(shown) == 2 and "mlpapers-readout" in shown[1].data

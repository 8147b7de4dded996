"""Tests for the EDM explorer of problem 404: drive the controls from Python, check what is drawn."""

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from mlpapers.diffusion_blocks import edm_widget as ew
from mlpapers.figures import reference

given = reference("diffusion_blocks")  # the instructor's given module, loaded by path
B3 = given.block_boundaries(3)


def _explorer(edm_precond=None):
    return ew.make_edm_explorer(edm_precond or given.edm_precond, given.edm_loss, given.edm_loss_weight, B3)


def _by_gid(fig, gid):
    return [a for ax in fig.axes for a in ax.findobj() if getattr(a, "get_gid", lambda: None)() == gid]


def test_controls_and_their_ranges():
    e = _explorer()
    assert set(e.controls) == {"sigma_data", "log10_sigma"}
    assert [v for _, v in e.controls["sigma_data"].options] == list(ew.SIGMA_DATAS)
    assert e.controls["sigma_data"].value == 0.5 and e.controls["log10_sigma"].value == 0.0
    lo, hi = e.controls["log10_sigma"].min, e.controls["log10_sigma"].max
    assert lo == pytest.approx(np.log10(0.002), abs=0.01) and hi == pytest.approx(np.log10(80), abs=0.01)
    assert all(c.continuous_update is False for c in e.controls.values())


@pytest.mark.parametrize("sigma_data", [0.125, 0.5, 2.0])
def test_coefficient_curves_are_the_functions_output(sigma_data):
    e = _explorer()
    e.controls["sigma_data"].value = sigma_data
    line = _by_gid(e.figure, "c_skip")[0]
    sigma = np.asarray(line.get_xdata())
    want = given.edm_precond(sigma, sigma_data)
    for gid, w in zip(("c_skip", "c_out", "c_in"), want[:3]):
        np.testing.assert_allclose(_by_gid(e.figure, gid)[0].get_ydata(), w, rtol=1e-12)
    # lambda c_out^2 is flat at 1 for every sigma_data
    np.testing.assert_allclose(_by_gid(e.figure, "effective_weight")[0].get_ydata(), 1.0, rtol=1e-12)
    assert sigma[0] == pytest.approx(0.002) and sigma[-1] == pytest.approx(80.0)
    assert _by_gid(e.figure, "c_skip")[0].axes.get_xscale() == "log"
    assert f"σ_data = {sigma_data:g}" in e.readout


def test_marker_and_readout_follow_the_sigma_slider():
    e = _explorer()
    e.controls["log10_sigma"].value = np.log10(0.5)
    assert _by_gid(e.figure, "sigma_marker")[0].get_xdata()[0] == pytest.approx(0.5)
    # sigma = sigma_data = 0.5: c_skip = 1/2, c_out = 0.5/sqrt(2), c_in = sqrt(2), lambda = 8
    assert "c_skip = 0.5, c_out = 0.3536, c_in = 1.414, c_noise = -0.1733" in e.readout
    assert "λ = 8, λ·c_out² = 1.000000" in e.readout


def test_weighted_loss_is_flat_when_sigma_data_matches_the_data():
    """EDM's design: with sigma_data = data std the effective target has unit variance at every sigma."""
    e = _explorer()
    weighted = np.asarray(_by_gid(e.figure, "weighted_loss")[0].get_ydata())
    plain = np.asarray(_by_gid(e.figure, "plain_loss")[0].get_ydata())
    np.testing.assert_array_equal(_by_gid(e.figure, "weighted_loss")[0].get_xdata(), ew.GRID)
    assert np.all(np.abs(weighted - 1.0) < 0.1)                 # 4 000 draws: within a few percent of 1
    # the plain MSE of F = 0 is c_out^2: from about 4e-6 at sigma_min to about 0.25 at sigma_max
    np.testing.assert_allclose(plain, weighted * given.edm_precond(ew.GRID, 0.5)[1] ** 2, rtol=1e-12)
    assert plain[0] < 1e-5 and plain[-1] > 0.2
    e.controls["sigma_data"].value = 2.0                         # a wrong sigma_data tilts the loss
    weighted = np.asarray(_by_gid(e.figure, "weighted_loss")[0].get_ydata())
    assert weighted[-1] < 0.1 and abs(weighted[0] - 1.0) < 0.1
    assert "λ-weighted loss from 0.06" in e.readout


def test_wrong_coefficients_show_in_the_picture():
    """c_out without the square root: lambda c_out^2 leaves 1, the widget shows it."""
    def no_sqrt(sigma, sigma_data=0.5):
        c_skip, _, c_in, c_noise = given.edm_precond(sigma, sigma_data)
        s = np.asarray(sigma, dtype=float)
        return c_skip, s * sigma_data / (s ** 2 + sigma_data ** 2), c_in, c_noise
    e = _explorer(no_sqrt)
    eff = np.asarray(_by_gid(e.figure, "effective_weight")[0].get_ydata())
    assert eff.max() > 3.9 and eff.min() < 1e-3             # 1/(1 + sigma^2/sigma_data^2) * 4: from 4 down to 1.6e-4
    assert "λ·c_out² = 1.000000" not in e.readout


def test_blocks_are_shaded_at_the_given_boundaries():
    e = _explorer()
    ax = _by_gid(e.figure, "c_skip")[0].axes
    dotted = sorted(l.get_xdata()[0] for l in ax.get_lines() if l.get_linestyle() == ":")
    np.testing.assert_allclose(dotted, B3[1:-1], rtol=1e-12)
    labels = {t.get_text() for t in ax.texts}
    assert {"block 0", "block 1", "block 2"} <= labels


def test_show_unattended_draws_a_static_figure_and_a_readout(monkeypatch):
    shown = []
    monkeypatch.setattr("mlpapers.widgetkit.display", lambda obj, **kw: shown.append(obj))
    e = _explorer()
    e.show(interactive=False)
    assert len(shown) == 2 and "mlpapers-readout" in shown[1].data

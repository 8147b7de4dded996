"""Tests for the AdaLN-Zero explorer of problem 402: drive the controls from Python, check what is drawn."""

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from mlpapers.diffusion_blocks import adaln_widget as aw
from mlpapers.figures import reference

given = reference("diffusion_blocks")  # the instructor's given module, loaded by path


def _explorer():
    return aw.make_adaln_explorer(given.sigma_embedding, given.adaln_zero_block)


def _by_gid(fig, gid):
    return [a for ax in fig.axes for a in ax.findobj() if getattr(a, "get_gid", lambda: None)() == gid]


def _bars(fig, name):
    return np.array([r.get_height() for r in _by_gid(fig, f"{name}_bar")])


def _modulation(sigma, zero=False):
    """shift, scale, gate written out from the contract: split3(emb W + b), in that order."""
    w, b, _, _ = aw.example_layer(0)
    if zero:
        w, b = np.zeros_like(w), np.zeros_like(b)
    half = aw.EMB_DIM // 2
    c = 0.25 * np.log(np.atleast_1d(sigma))[:, None] * 1e4 ** (-np.arange(half) / half)
    m = np.concatenate([np.cos(c), np.sin(c)], axis=1) @ w + b
    D = aw.WIDTH
    return m[:, :D], m[:, D:2 * D], m[:, 2 * D:]


def test_controls_and_their_ranges():
    e = _explorer()
    assert set(e.controls) == {"sigma", "weights"}
    s = e.controls["sigma"]
    assert s.base == 10 and s.value == 1.0 and s.continuous_update is False
    assert 10 ** s.min == pytest.approx(0.002) and 10 ** s.max == pytest.approx(80.0)
    assert list(e.controls["weights"].options) == list(aw.WEIGHTS)


def test_heat_strip_is_the_students_embedding_with_sigma_marked():
    e = _explorer()
    for sigma in (0.002, 0.05, 1.0, 80.0):
        e.controls["sigma"].value = sigma
        mesh = _by_gid(e.figure, "embedding_strip")[0]
        want = given.sigma_embedding(aw.GRID, aw.EMB_DIM)
        np.testing.assert_allclose(np.asarray(mesh.get_array()).reshape(aw.EMB_DIM, -1), want.T, rtol=1e-12)
        assert mesh.axes.get_xscale() == "log"
        assert _by_gid(e.figure, "sigma_marker")[0].get_xdata()[0] == pytest.approx(sigma)
        assert f"c_noise = ln(σ)/4 = {0.25 * np.log(sigma):+.4f}" in e.readout


@pytest.mark.parametrize("sigma", [0.002, 0.03, 0.3, 1.0, 7.0, 80.0])
def test_bars_are_shift_scale_gate_in_the_contracts_order(sigma):
    e = _explorer()
    e.controls["sigma"].value = sigma
    shift, scale, gate = _modulation(sigma)
    np.testing.assert_allclose(_bars(e.figure, "shift"), shift[0], atol=1e-9)
    np.testing.assert_allclose(_bars(e.figure, "scale"), scale[0], atol=1e-9)
    np.testing.assert_allclose(_bars(e.figure, "gate"), gate[0], atol=1e-9)


def test_curves_follow_channel_zero_over_the_range():
    e = _explorer()
    e.controls["sigma"].value = 0.1
    shift, scale, gate = _modulation(aw.GRID)
    for name, want in (("shift", shift), ("scale", scale), ("gate", gate)):
        line = _by_gid(e.figure, f"{name}_curve")[0]
        np.testing.assert_allclose(line.get_xdata(), aw.GRID)
        np.testing.assert_allclose(line.get_ydata(), want[:, 0], atol=1e-9)
        assert line.axes.get_xscale() == "log"


def test_zero_weights_make_the_layer_the_identity():
    e = _explorer()
    e.controls["weights"].value = aw.WEIGHTS[1]
    for sigma in (0.002, 0.5, 80.0):
        e.controls["sigma"].value = sigma
        for name in ("shift", "scale", "gate"):
            np.testing.assert_allclose(_bars(e.figure, name), 0.0, atol=1e-12)
            np.testing.assert_allclose(_by_gid(e.figure, f"{name}_curve")[0].get_ydata(), 0.0, atol=1e-12)
        assert "the layer is the identity" in e.readout
    e.controls["weights"].value = aw.WEIGHTS[0]
    assert "the layer is the identity" not in e.readout


def test_probe_reads_a_swapped_chunk_order_off_the_layer():
    """The probe reports what the student's layer does: a (scale, shift, gate) layer shows them swapped."""
    def swapped(x, cond, w, b, branch, eps=1e-6):
        D = np.shape(x)[-1]           # reorder the weights' columns so the first chunk acts as scale
        return given.adaln_zero_block(x, cond, np.concatenate([w[:, D:2 * D], w[:, :D], w[:, 2 * D:]], axis=1),
                                      np.concatenate([b[D:2 * D], b[:D], b[2 * D:]]), branch, eps)
    w, b, _, _ = aw.example_layer(0)
    emb = given.sigma_embedding(0.3, aw.EMB_DIM)
    shift, scale, gate = _modulation(0.3)
    got = aw.probe_modulation(swapped, emb, w, b)
    np.testing.assert_allclose(got[0], scale, atol=1e-9)
    np.testing.assert_allclose(got[1], shift, atol=1e-9)
    np.testing.assert_allclose(got[2], gate, atol=1e-9)


def test_show_unattended_draws_a_static_figure_and_a_readout(monkeypatch):
    shown = []
    monkeypatch.setattr("mlpapers.widgetkit.display", lambda obj, **kw: shown.append(obj))
    e = _explorer()
    e.show(interactive=False)
    assert len(shown) == 2 and "mlpapers-readout" in shown[1].data

"""Tests for the selective-scan explorer of problem 419: drive the controls from Python, check what is drawn."""

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from mlpapers.figures import reference
from mlpapers.nemotron3 import scan_widget as sw

given = reference("nemotron3")  # the instructor's given module, loaded by path


def _explorer():
    return sw.make_scan_explorer(given.ssd_recurrent, given.ssd_chunked, given.mamba2_dt)


def _by_gid(fig, gid):
    return [a for ax in fig.axes for a in ax.findobj() if getattr(a, "get_gid", lambda: None)() == gid]


def _inputs(neg_A, dt_bias, spike):
    x, dt_raw, B, C = sw.example_inputs(spike)
    dt = given.mamba2_dt(dt_raw, [dt_bias])
    return x, dt, np.array([-neg_A]), B, C


def test_controls_and_their_ranges():
    e = _explorer()
    assert set(e.controls) == {"neg_A", "dt_bias", "spike", "chunk_size"}
    assert (e.controls["neg_A"].min, e.controls["neg_A"].max, e.controls["neg_A"].base) == (-2, 1, 10)
    assert e.controls["neg_A"].value == pytest.approx(0.1)
    assert (e.controls["spike"].min, e.controls["spike"].max) == (0, sw.LENGTH - 1)
    assert list(e.controls["chunk_size"].options) == list(sw.CHUNKS)
    assert all(c.continuous_update is False for c in e.controls.values())


@pytest.mark.parametrize("neg_A, dt_bias, spike", [(0.1, 0.0, 12), (3.0, 1.0, 30), (0.01, -4.0, 0), (10.0, -1.0, 47)])
def test_heat_map_is_the_decoded_state(neg_A, dt_bias, spike):
    e = _explorer()
    e.controls["neg_A"].value = neg_A
    e.controls["dt_bias"].value = dt_bias
    e.controls["spike"].value = spike
    x, dt, A, B, C = _inputs(neg_A, dt_bias, spike)
    image = _by_gid(e.figure, "state")[0]
    grid = np.asarray(image.get_array())
    assert grid.shape == (sw.P * sw.N, sw.LENGTH)
    # the last column is the final state of one pass over the whole sequence
    _, final = given.ssd_recurrent(x, dt, A, B, C)
    np.testing.assert_allclose(grid[:, -1], final[0].ravel(), rtol=1e-10, atol=1e-14)
    # and column t is the final state of the first t + 1 tokens
    t = spike
    _, prefix = given.ssd_recurrent(x[:t + 1], dt[:t + 1], A, B[:t + 1], C[:t + 1])
    np.testing.assert_allclose(grid[:, t], prefix[0].ravel(), rtol=1e-10, atol=1e-14)
    assert _by_gid(e.figure, "spike")[0].get_xdata()[0] == spike
    assert f"A = −{neg_A:g}, dt bias = {dt_bias:+g}" in e.readout
    assert f"at the spike (t = {spike})" in e.readout


def test_the_state_jumps_at_the_spike_and_fades_with_strong_decay():
    e = _explorer()
    e.controls["spike"].value = 20
    e.controls["neg_A"].value = 10 ** 0.5
    grid = np.asarray(_by_gid(e.figure, "state")[0].get_array())
    norm = np.linalg.norm(grid, axis=0)
    assert norm[20] > 10 * norm[19]
    assert norm[30] < 0.2 * norm[20]


@pytest.mark.parametrize("chunk_size", sw.CHUNKS)
def test_output_panel_is_recurrent_and_chunked_y(chunk_size):
    e = _explorer()
    e.controls["chunk_size"].value = chunk_size
    x, dt, A, B, C = _inputs(0.1, 0.0, 12)
    y_rec, _ = given.ssd_recurrent(x, dt, A, B, C)
    y_chk, _ = given.ssd_chunked(x, dt, A, B, C, chunk_size=chunk_size)
    np.testing.assert_allclose(_by_gid(e.figure, "y_recurrent")[0].get_ydata(), y_rec[:, 0, 0], rtol=1e-12)
    np.testing.assert_allclose(_by_gid(e.figure, "y_chunked")[0].get_ydata(), y_chk[:, 0, 0], rtol=1e-12)
    edges = [line.get_xdata()[0] for k in range(sw.LENGTH) for line in _by_gid(e.figure, f"chunk_edge_{k}")]
    assert edges == [q - 0.5 for q in range(chunk_size, sw.LENGTH, chunk_size)]
    assert f"ssd_chunked (chunk {chunk_size}) against ssd_recurrent: max |Δy| = " in e.readout
    gap = float(e.readout.rsplit("= ", 1)[1])
    assert gap < 1e-12


def test_a_wrong_chunked_scan_shows_in_the_readout():
    """A chunked scan that forgets the carried state must stand out next to the recurrence."""
    def restart(x, dt, A, B, C, D=None, initial_state=None, chunk_size=64):
        ys = [given.ssd_chunked(x[s:s + chunk_size], dt[s:s + chunk_size], A, B[s:s + chunk_size],
                                C[s:s + chunk_size], D, chunk_size=chunk_size)[0]
              for s in range(0, x.shape[0], chunk_size)]
        return np.concatenate(ys), None

    e = sw.make_scan_explorer(given.ssd_recurrent, restart, given.mamba2_dt)
    e.controls["chunk_size"].value = 8
    assert float(e.readout.rsplit("= ", 1)[1]) > 1e-3


def test_half_life_in_the_readout():
    e = _explorer()
    e.controls["neg_A"].value = 1.0
    e.controls["dt_bias"].value = 0.0
    x, dt, A, B, C = _inputs(1.0, 0.0, 12)
    assert f"mean Δ = {dt.mean():.3f}" in e.readout
    assert f"half-life ≈ {np.log(2) / dt.mean():.1f} tokens" in e.readout


def test_show_unattended_draws_a_static_figure_and_a_readout(monkeypatch):
    shown = []
    monkeypatch.setattr("mlpapers.widgetkit.display", lambda obj, **kw: shown.append(obj))
    e = _explorer()
    e.show(interactive=False)
    assert len(shown) == 2 and "mlpapers-readout" in shown[1].data

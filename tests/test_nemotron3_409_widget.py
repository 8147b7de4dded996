"""Tests for the routing explorer of problem 409: drive the controls from Python, check what is drawn."""

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from mlpapers.figures import reference
from mlpapers.nemotron3 import routing_widget as rw

given = reference("nemotron3")  # the instructor's module, loaded by path


def _explorer():
    return rw.make_routing_explorer(given.route_tokens, given.expert_counts, given.update_expert_bias)


def _by_gid(fig, gid):
    return [a for ax in fig.axes for a in ax.findobj() if getattr(a, "get_gid", lambda: None)() == gid]


def _bar_heights(fig, gid):
    return np.array([p.get_height() for p in _by_gid(fig, gid)])


def _run(u, on=True):
    return rw.simulate_loads(given.route_tokens, given.expert_counts, given.update_expert_bias,
                             update_rate=u, use_bias=on)


def test_controls_and_their_ranges():
    e = _explorer()
    assert set(e.controls) == {"update_rate", "use_bias", "step"}
    assert [v for _, v in e.controls["update_rate"].options] == list(rw.RATES)
    assert e.controls["update_rate"].value == 1e-3                     # Nemotron 3 Nano's rate
    assert [v for _, v in e.controls["use_bias"].options] == [True, False] and e.controls["use_bias"].value is True
    assert (e.controls["step"].min, e.controls["step"].max, e.controls["step"].value) == (1, rw.STEPS, rw.STEPS)


@pytest.mark.parametrize("u, step", [(1e-3, 300), (1e-3, 1), (1e-2, 40), (1e-4, 150)])
def test_bars_are_the_loads_and_bias_of_the_students_run(u, step):
    e = _explorer()
    e.controls["update_rate"].value = u
    e.controls["step"].value = step
    loads, biases = _run(u)
    off, _ = _run(0.0, False)
    np.testing.assert_array_equal(_bar_heights(e.figure, "loads"), loads[step - 1])
    np.testing.assert_array_equal(_bar_heights(e.figure, "loads_off"), off[step - 1])
    np.testing.assert_allclose(_bar_heights(e.figure, "bias"), biases[step - 1], rtol=0, atol=1e-15)
    assert _by_gid(e.figure, "balanced")[0].get_ydata()[0] == rw.TOKENS * rw.TOP_K / rw.N_EXPERTS
    curve = _by_gid(e.figure, "imbalance")[0]
    np.testing.assert_allclose(curve.get_ydata(), rw.imbalance(loads), rtol=1e-12)
    assert _by_gid(e.figure, "current_step")[0].get_xdata()[0] == step
    assert f"step {step} of {rw.STEPS}" in e.readout
    assert f"{rw.imbalance(loads)[step - 1]:.2f}x the mean" in e.readout


def test_every_step_routes_all_tokens_and_the_first_bias_is_zero():
    loads, biases = _run(1e-3)
    assert loads.shape == (rw.STEPS, rw.N_EXPERTS) and biases.shape == (rw.STEPS, rw.N_EXPERTS)
    assert np.all(loads.sum(axis=1) == rw.TOKENS * rw.TOP_K)
    assert np.all(biases[0] == 0)
    # each update moves every bias by u or leaves it (sign rule)
    steps = np.abs(np.diff(biases, axis=0))
    assert np.all(np.isclose(steps, 1e-3, atol=1e-12) | np.isclose(steps, 0.0, atol=1e-12))


def test_bias_balances_the_skewed_router_and_off_does_not():
    """The explorer's message: at Nano's u = 1e-3 the imbalance falls from about 3 to about 1.3."""
    e = _explorer()
    on = rw.imbalance(_run(1e-3)[0])
    off = rw.imbalance(_run(0.0, False)[0])
    assert on[0] > 2.5 and off[-rw.LAST:].mean() > 2.5
    assert on[-rw.LAST:].mean() < 1.5
    assert f"last {rw.LAST} steps: {on[-rw.LAST:].mean():.2f}x (bias off: {off[-rw.LAST:].mean():.2f}x)" in e.readout
    # the favoured (high-numbered) experts end with the lowest bias
    biases = _run(1e-3)[1][-1]
    assert biases[:4].mean() > 0 > biases[-4:].mean()


def test_bias_off_routes_with_zero_bias():
    e = _explorer()
    e.controls["use_bias"].value = False
    off, _ = _run(0.0, False)
    np.testing.assert_array_equal(_bar_heights(e.figure, "loads"), off[-1])
    assert not _by_gid(e.figure, "loads_off") and not _by_gid(e.figure, "imbalance_off")
    np.testing.assert_array_equal(_bar_heights(e.figure, "bias"), np.zeros(rw.N_EXPERTS))
    assert e.readout.startswith("bias off")


def test_slow_rate_barely_moves_the_bias():
    e = _explorer()
    e.controls["update_rate"].value = 1e-4
    assert np.abs(_bar_heights(e.figure, "bias")).max() <= rw.STEPS * 1e-4 + 1e-12
    assert "u = 1e-4" in e.readout


def test_moving_the_step_slider_does_not_route_again():
    calls = []

    def counting_route(*args, **kwargs):
        calls.append(1)
        return given.route_tokens(*args, **kwargs)

    e = rw.make_routing_explorer(counting_route, given.expert_counts, given.update_expert_bias)
    before = len(calls)
    e.controls["step"].value = 10
    e.controls["step"].value = 200
    assert len(calls) == before


def test_helpers():
    np.testing.assert_allclose(rw.skewed_router(4, 2, 1.0)[:, 0], [-1, -1 / 3, 1 / 3, 1])
    np.testing.assert_allclose(rw.imbalance([[3, 1], [2, 2]]), [1.5, 1.0])
    x = rw.token_batch(np.random.default_rng(0), 4000, 3)
    assert x.shape == (4000, 3) and abs(x[:, 0].mean() - 1) < 0.1 and abs(x[:, 1].mean()) < 0.1


def test_show_unattended_draws_a_static_figure_and_a_readout(monkeypatch):
    shown = []
    monkeypatch.setattr("mlpapers.widgetkit.display", lambda obj, **kw: shown.append(obj))
    e = _explorer()
    e.show(interactive=False)
    assert len(shown) == 2 and "mlpapers-readout" in shown[1].data

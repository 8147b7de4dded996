"""Tests for the Euler-step explorer of problem 400: drive the controls from Python, check what is drawn."""

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from mlpapers.diffusion_blocks import euler_widget as ew
from mlpapers.figures import reference

given = reference("diffusion_blocks")  # the instructor's given module, loaded by path


def _explorer():
    return ew.make_euler_explorer(given.euler_trajectory, given.gaussian_denoiser)


def _by_gid(fig, gid):
    return [a for ax in fig.axes for a in ax.findobj() if getattr(a, "get_gid", lambda: None)() == gid]


def test_controls_and_their_ranges():
    e = _explorer()
    assert set(e.controls) == {"steps", "sigma_max"}
    assert [v for _, v in e.controls["steps"].options] == list(ew.STEP_CHOICES)
    assert e.controls["steps"].value == 6 and e.controls["sigma_max"].value == 10.0
    assert [v for _, v in e.controls["sigma_max"].options] == list(ew.SIGMA_MAX_CHOICES)
    assert all(c.continuous_update is False for c in e.controls.values())


def test_helpers_closed_forms():
    np.testing.assert_allclose(ew.geometric_sigmas(10.0, 3), [10.0, 1.0, 0.1, 0.01], rtol=1e-12)
    # the worked example's exact endpoint: 4 sqrt(0.25 / 4.25)
    assert ew.exact_transport(4.0, 2.0, 0.0) == pytest.approx(0.9701425001, rel=1e-9)
    # the exact transport keeps the standardised coordinate fixed
    x = ew.exact_transport(ew.start_points(10.0), 10.0, 0.3)
    np.testing.assert_allclose(ew.standardised(x, 0.3), ew.STARTS, rtol=1e-12)


@pytest.mark.parametrize("steps, sigma_max", [(1, 10.0), (3, 10.0), (24, 80.0), (96, 2.0), (6, 1.0)])
def test_trajectories_are_the_students_euler_states(steps, sigma_max):
    e = _explorer()
    e.controls["sigma_max"].value = sigma_max
    e.controls["steps"].value = steps
    x0 = ew.start_points(sigma_max)
    sigmas = ew.geometric_sigmas(sigma_max, steps)
    want = given.euler_trajectory(x0, sigmas, lambda x, s: given.gaussian_denoiser(x, s, ew.MU, ew.S))
    for j in range(x0.size):
        line = _by_gid(e.figure, f"euler_{j}")[0]
        np.testing.assert_allclose(line.get_xdata(), sigmas, rtol=1e-12)
        np.testing.assert_allclose(line.get_ydata(), ew.standardised(want[:, j], sigmas), rtol=1e-12)
        exact = _by_gid(e.figure, f"exact_{j}")[0]
        np.testing.assert_allclose(exact.get_ydata(), ew.STARTS[j], rtol=1e-12)   # flat: the exact transport
        assert line.axes.get_xscale() == "log"
    err = float(np.max(np.abs(want[-1] - ew.exact_transport(x0, sigma_max, ew.SIGMA_END))))
    marker = _by_gid(e.figure, "current_steps")[0]
    assert marker.get_xdata()[0] == steps and marker.get_ydata()[0] == pytest.approx(err, rel=1e-12)
    assert f"N = {steps} Euler steps" in e.readout and f"sigma_max = {sigma_max:g}" in e.readout
    assert f"largest endpoint error {err:.3e}" in e.readout


def test_error_panel_is_first_order_on_log_log_axes():
    e = _explorer()
    for sigma_max in (10.0, 80.0):
        e.controls["sigma_max"].value = sigma_max
        line = _by_gid(e.figure, "endpoint_errors")[0]
        np.testing.assert_array_equal(line.get_xdata(), np.array(ew.ERROR_STEPS, dtype=float))
        errors = np.asarray(line.get_ydata())
        assert line.axes.get_xscale() == "log" and line.axes.get_yscale() == "log"
        assert np.all(np.diff(errors) < 0)                         # deeper stacks are closer
        np.testing.assert_allclose(errors[-4:-1] / errors[-3:], 2.0, rtol=0.05)   # doubling N halves it
        assert "slope of the error over N = 128..1024: -1.00" in e.readout
    # the error of 1024 steps from sigma = 10 (the hidden test's 2000 steps reach about 1e-3)
    e.controls["sigma_max"].value = 10.0
    assert _by_gid(e.figure, "endpoint_errors")[0].get_ydata()[-1] < 2e-3


def test_a_wrong_step_shows_in_the_picture():
    """A student whose step goes the wrong way sees trajectories leave the flat exact lines."""
    def wrong(x_init, sigmas, denoise_fn):
        out = [np.asarray(x_init, dtype=float)]
        for a, b in zip(sigmas[:-1], sigmas[1:]):
            x = out[-1]
            out.append(x + (a - b) * (x - denoise_fn(x, a)) / a)
        return np.array(out)
    e = ew.make_euler_explorer(wrong, given.gaussian_denoiser)
    assert float(e.readout.split("largest endpoint error ")[1].split()[0]) > 1.0


def test_show_unattended_draws_a_static_figure_and_a_readout(monkeypatch):
    shown = []
    monkeypatch.setattr("mlpapers.widgetkit.display", lambda obj, **kw: shown.append(obj))
    e = _explorer()
    e.show(interactive=False)
    assert len(shown) == 2 and "mlpapers-readout" in shown[1].data

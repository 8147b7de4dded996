"""Tests of the TurboQuant widgets of problems 173-175 (driven from Python, no browser)."""
from __future__ import annotations

import math
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "solutions" / "turboquant"))
import turboquant_given as given  # noqa: E402  (the chapter's reference answers)

from mlpapers.turboquant import codebook_widget as cw  # noqa: E402


def _artist(ax, label):
    """The one artist of ``ax`` with the given label."""
    found = [a for a in list(ax.lines) + list(ax.collections) if a.get_label() == label]
    assert len(found) == 1, f"expected one artist labelled {label!r}, found {len(found)}"
    return found[0]


@pytest.fixture(scope="module")
def explorer():
    return cw.codebook_explorer(given.lloyd_max, given.quantizer_mse, given.sphere_coordinate_pdf, bits=3, d=128)


def test_initial_readout_is_the_headline_value(explorer):
    # Theorem 1 table at d = 128, b = 3: D_mse = 0.0339659 (spec, exact to 1e-7).
    assert "D_mse = 0.0339659" in explorer.readout
    assert "d = 128" in explorer.readout


@pytest.mark.parametrize("bits", [1, 2, 3, 4, 5])
def test_bits_control_sets_number_of_dots_and_lines(explorer, bits):
    explorer.controls["bits"].value = bits
    left = explorer.figure.axes[0]
    dots = _artist(left, "centroids")
    assert len(dots.get_xdata()) == 2 ** bits
    assert len(_artist(left, "boundaries").get_segments()) == 2 ** bits - 1
    # Centroids are drawn on the sqrt(d) axis and are exactly symmetric.
    x = np.asarray(dots.get_xdata())
    np.testing.assert_allclose(x, -x[::-1], atol=1e-12)


def test_b1_centroid_is_mean_abs_on_scaled_axis(explorer):
    # At b = 1 the centroid is E|X| = Gamma(d/2) / (sqrt(pi) Gamma((d+1)/2)), 0.0706615727 at d = 128.
    explorer.controls["gaussian"].value = False
    explorer.controls["d"].value = 128
    explorer.controls["bits"].value = 1
    x = _artist(explorer.figure.axes[0], "centroids").get_xdata()
    np.testing.assert_allclose(x, [-0.0706615727 * math.sqrt(128), 0.0706615727 * math.sqrt(128)], rtol=1e-8)
    assert "D_mse = 0.3608886" in explorer.readout


def test_uniform_case_d3_hits_the_lower_bound(explorer):
    # d = 3: f_3 is uniform, the codebook is the uniform grid and D_mse = 4^-b exactly.
    explorer.controls["gaussian"].value = False
    explorer.controls["d"].value = 3
    explorer.controls["bits"].value = 2
    right = explorer.figure.axes[1]
    np.testing.assert_allclose(_artist(right, "D_mse").get_ydata(), 4.0 ** -np.arange(1, 6), rtol=1e-9)
    assert "ratio to 4^-b = 1.000" in explorer.readout
    x = _artist(explorer.figure.axes[0], "centroids").get_xdata()
    np.testing.assert_allclose(x, np.array([-0.75, -0.25, 0.25, 0.75]) * math.sqrt(3), atol=1e-9)


def test_gaussian_toggle_gives_max_1960_values(explorer):
    explorer.controls["gaussian"].value = True
    explorer.controls["bits"].value = 2
    assert "Gaussian limit" in explorer.readout
    assert "D_mse = 0.1174818" in explorer.readout
    x = _artist(explorer.figure.axes[0], "centroids").get_xdata()
    np.testing.assert_allclose(x, [-1.5104176085, -0.4527800346, 0.4527800346, 1.5104176085], atol=1e-8)
    explorer.controls["gaussian"].value = False


def test_bounds_and_paper_points_drawn(explorer):
    explorer.controls["d"].value = 1024
    right = explorer.figure.axes[1]
    b = np.arange(1, 6)
    np.testing.assert_allclose(_artist(right, "lower bound 4^-b").get_ydata(), 4.0 ** -b)
    np.testing.assert_allclose(_artist(right, "upper bound").get_ydata(), math.sqrt(3) * math.pi / 2 * 4.0 ** -b)
    np.testing.assert_allclose(_artist(right, "paper").get_ydata(), [0.36, 0.117, 0.03, 0.009])
    dmse = np.asarray(_artist(right, "D_mse").get_ydata())
    assert np.all(dmse >= 4.0 ** -b) and np.all(dmse <= math.sqrt(3) * math.pi / 2 * 4.0 ** -b)


def test_redraw_is_fast_and_cached():
    import time

    calls = []

    def counting_lloyd_max(bits, d=None):
        calls.append((bits, d))
        return given.lloyd_max(bits, d)

    ex = cw.codebook_explorer(counting_lloyd_max, given.quantizer_mse, given.sphere_coordinate_pdf, bits=2, d=64)
    n_first = len(calls)
    assert n_first == 5  # one codebook per b = 1..5
    start = time.process_time()  # CPU time: robust to a loaded shared machine
    ex.controls["bits"].value = 4  # same d: no new codebooks
    assert len(calls) == n_first
    ex.controls["d"].value = 512
    ex.controls["d"].value = 64  # back again: cached
    assert len(calls) == n_first + 5
    assert (time.process_time() - start) / 3 < 0.5


def test_widget_uses_the_students_functions():
    # A deliberately wrong "student" codebook (uniform grid) must be what the widget draws.
    def uniform_grid(bits, d=None):
        n = 2 ** bits
        c = (np.arange(n) - (n - 1) / 2) / n * (2.0 if d is None else 1.0)
        return c, (c[:-1] + c[1:]) / 2

    fig, readout = cw.draw_codebook(uniform_grid, given.quantizer_mse, given.sphere_coordinate_pdf, bits=2, d=16)
    x = _artist(fig.axes[0], "centroids").get_xdata()
    np.testing.assert_allclose(x, np.array([-0.375, -0.125, 0.125, 0.375]) * 4)
    expected = 16 * given.quantizer_mse(uniform_grid(2, 16)[0], 16)
    assert f"D_mse = {expected:.7f}" in readout


def test_scaled_density_integrates_to_one():
    for d in (3, 4, 16, 1024, None):
        z = np.linspace(-40, 40, 400001)
        mass = np.sum(cw.scaled_density(given.sphere_coordinate_pdf, z, d)) * (z[1] - z[0])
        assert abs(mass - 1) < 1e-3


def test_density_panel_draws_the_pdf_passed_in():
    # The widget holds no density of its own: a wrong "pdf" (a triangle on [-1, 1]) is what it draws.
    def triangle(x, d):
        return np.maximum(1.0 - np.abs(np.asarray(x, dtype=float)), 0.0)

    fig, _ = cw.draw_codebook(given.lloyd_max, given.quantizer_mse, triangle, bits=2, d=16)
    line = _artist(fig.axes[0], "density")
    z = np.asarray(line.get_xdata())
    np.testing.assert_allclose(line.get_ydata(), triangle(z / 4.0, 16) / 4.0)
    fig, _ = cw.draw_codebook(given.lloyd_max, given.quantizer_mse, triangle, bits=2, d=16, gaussian=True)
    line = _artist(fig.axes[0], "density")
    z = np.asarray(line.get_xdata())
    np.testing.assert_allclose(line.get_ydata(), np.exp(-z * z / 2) / math.sqrt(2 * math.pi))


def test_bad_d_choice_raises():
    with pytest.raises(ValueError, match="d"):
        cw.codebook_explorer(given.lloyd_max, given.quantizer_mse, given.sphere_coordinate_pdf, d=100)


# --- problem 173: rotation widget -------------------------------------------------------------

from mlpapers.turboquant import distortion_widget as dw  # noqa: E402
from mlpapers.turboquant import rotation_widget as rw  # noqa: E402


def test_rotation_widget_sign_fix_toggle():
    ex = rw.rotation_explorer(given.random_rotation, given.sphere_coordinate_pdf, d=8)
    assert "P(Pi[0,0] > 0) = 0.4" in ex.readout or "P(Pi[0,0] > 0) = 0.5" in ex.readout
    ax = ex.figure.axes[0]
    # The drawn density is the student's f_d on the sqrt(d) axis: at z = 0 it is f_8(0) / sqrt(8).
    line = _artist(ax, "f_d (yours)")
    z, y = np.asarray(line.get_xdata()), np.asarray(line.get_ydata())
    mid = np.argmin(np.abs(z))
    assert abs(y[mid] - given.sphere_coordinate_pdf(0.0, 8) / math.sqrt(8)) < 1e-9
    ex.controls["sign_fix"].value = False  # raw LAPACK Q: Pi[0, 0] <= 0 always
    assert "P(Pi[0,0] > 0) = 0.000" in ex.readout
    ex.controls["d"].value = 3
    assert "d = 3" in ex.readout


def test_first_entries_uses_the_students_rotation():
    calls = []

    def identity_rotation(d, rng):
        calls.append(d)
        return np.eye(d)

    vals = rw.first_entries(identity_rotation, 5, 10)
    assert calls == [5] * 10 and np.all(vals == 1.0)


# --- problem 175: distortion widget -----------------------------------------------------------

def test_distortion_widget_matches_theory():
    ex = dw.distortion_explorer(given.tq_mse_quantize, given.tq_mse_dequantize, given.random_rotation,
                                given.lloyd_max, given.quantizer_mse, bits=2, d=64)
    left, right = ex.figure.axes
    exact = np.asarray(_artist(left, "exact d*C").get_ydata())
    np.testing.assert_allclose(exact, [0.3583873608, 0.1145257568, 0.0333908341, 0.0091315176], rtol=1e-8)
    # One dot per coordinate of the shown vector, each on one of the 2**b levels.
    pts = _artist(right, "coordinates")
    assert len(pts.get_xdata()) == 64
    assert len(np.unique(np.round(pts.get_ydata(), 12))) <= 4
    assert "d = 64, b = 2" in ex.readout
    m = float(ex.readout.split("Monte Carlo D_mse = ")[1].split()[0])
    assert abs(m / 0.1145257568 - 1) < 0.04
    ex.controls["bits"].value = 4
    assert len(np.unique(np.round(_artist(ex.figure.axes[1], "coordinates").get_ydata(), 12))) <= 16
    ex.controls["d"].value = 8
    assert "d = 8, b = 4" in ex.readout


def test_monte_carlo_dmse_of_exact_reconstruction_is_zero():
    X = dw.unit_rows(20, 8, seed=1)
    mean, se = dw.monte_carlo_dmse(lambda X, P, c: (X, None), lambda i, n, P, c: i, X, np.eye(8), np.zeros(1))
    assert mean == 0.0 and se == 0.0

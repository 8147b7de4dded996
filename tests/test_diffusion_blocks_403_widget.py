"""Tests for the block-noise explorer of problem 403: drive the controls from Python, check what is drawn."""

import math

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from mlpapers.diffusion_blocks import block_noise_widget as bw
from mlpapers.figures import reference

given = reference("diffusion_blocks")  # the instructor's given module, loaded by path


def _explorer(seed=0):
    return bw.make_block_noise_explorer(given.sample_block_sigmas, given.block_sigma_range,
                                        given.block_boundaries, given.lognormal_cdf, seed=seed)


def _by_gid(fig, gid):
    return [a for ax in fig.axes for a in ax.findobj() if getattr(a, "get_gid", lambda: None)() == gid]


def _truncated_cdf(x):
    f_min, f_max = given.lognormal_cdf([bw.SIGMA_MIN, bw.SIGMA_MAX])
    return (given.lognormal_cdf(x) - f_min) / (f_max - f_min)


def test_controls_and_their_ranges():
    e = _explorer()
    assert set(e.controls) == {"num_blocks", "overlap"}
    c = e.controls["num_blocks"]
    assert (c.min, c.max, c.value) == (1, 6, 3)
    assert [v for _, v in e.controls["overlap"].options] == list(bw.OVERLAPS) and e.controls["overlap"].value == 0.0
    assert all(c.continuous_update is False for c in e.controls.values())


@pytest.mark.parametrize("B, gamma", [(1, 0.0), (3, 0.0), (3, 0.05), (6, 0.1), (4, 0.5)])
def test_range_bars_are_the_students_block_ranges(B, gamma):
    e = _explorer()
    e.controls["num_blocks"].value = B
    e.controls["overlap"].value = gamma
    b = given.block_boundaries(B)
    for k in range(B):
        lo, hi = given.block_sigma_range(k, b, gamma)
        bar = _by_gid(e.figure, f"range_{k}")[0]
        np.testing.assert_allclose(bar.get_xdata(), [math.log(lo), math.log(hi)], rtol=1e-12)
        assert f"block {k}: σ in [{lo:.4g}, {hi:.4g}]" in e.readout
        assert _by_gid(e.figure, f"block_{k}"), f"no histogram for block {k}"
    assert not _by_gid(e.figure, f"range_{B}")
    assert f"B = {B}, overlap γ = {gamma:g}" in e.readout


def test_readout_ks_distance_is_that_of_the_students_draws():
    """The pooled KS distance printed is the one of 10 000 draws per block from the student's sampler."""
    e = _explorer(seed=5)
    e.controls["num_blocks"].value = 4
    rng = np.random.default_rng(5)
    b = given.block_boundaries(4)
    pooled = np.concatenate([given.sample_block_sigmas(k, b, bw.DRAWS_PER_BLOCK, rng) for k in range(4)])
    D = bw.ks_distance(pooled, _truncated_cdf)
    assert f"KS distance {D:.4f}" in e.readout
    assert D < 0.02


def test_overlap_breaks_the_pooled_distribution():
    """The explorer's message: without overlap the pooled draws are the truncated log-normal, with it they are not."""
    e = _explorer()
    e.controls["num_blocks"].value = 3

    def distance():
        return float(e.readout.split("KS distance ")[1].split()[0])

    assert distance() < 0.015
    e.controls["overlap"].value = 0.2
    assert distance() > 0.05
    # every block's share of p_train is above 1/B once the ranges overlap
    shares = [float(line.split("%")[0].split(",")[-1]) for line in e.readout.splitlines() if "of p_train" in line]
    assert len(shares) == 3 and min(shares) > 100 / 3


def test_stacked_histogram_follows_the_density_without_overlap():
    """With weights 1/(B n width) the stack's top is a density estimate of ln(sigma) under G."""
    fig, ax = matplotlib.pyplot.subplots()
    b = given.block_boundaries(3)
    rng = np.random.default_rng(0)
    draws = [given.sample_block_sigmas(k, b, 10_000, rng) for k in range(3)]
    f_min, f_max = given.lognormal_cdf([bw.SIGMA_MIN, bw.SIGMA_MAX])
    bw.draw_block_histograms(ax, draws, [given.block_sigma_range(k, b) for k in range(3)], f_min, f_max)
    edges = np.linspace(math.log(bw.SIGMA_MIN), math.log(bw.SIGMA_MAX), 61)
    counts, _ = np.histogram(np.log(np.concatenate(draws)), bins=edges)
    width = edges[1] - edges[0]
    centres = (edges[:-1] + edges[1:]) / 2
    estimate = counts / (30_000 * width)
    density = bw.log_sigma_density(centres, f_max - f_min)
    assert np.max(np.abs(estimate - density)) < 0.03           # peak density 0.33
    curve = _by_gid(fig, "density")[0]
    np.testing.assert_allclose(curve.get_ydata(), bw.log_sigma_density(curve.get_xdata(), f_max - f_min))
    matplotlib.pyplot.close(fig)


def test_helpers():
    assert bw.ks_distance([0.5], lambda x: x) == pytest.approx(0.5)
    assert bw.log_sigma_density(-1.2, 1.0) == pytest.approx(1 / (1.2 * math.sqrt(2 * math.pi)))
    # the density of ln(sigma) integrates to the truncated mass over the whole line
    grid = np.linspace(-1.2 - 12, -1.2 + 12, 20001)
    assert np.trapezoid(bw.log_sigma_density(grid, 1.0), grid) == pytest.approx(1.0, abs=1e-9)


def test_show_unattended_draws_a_static_figure_and_a_readout(monkeypatch):
    shown = []
    monkeypatch.setattr("mlpapers.widgetkit.display", lambda obj, **kw: shown.append(obj))
    e = _explorer()
    e.show(interactive=False)
    assert len(shown) == 2 and "mlpapers-readout" in shown[1].data

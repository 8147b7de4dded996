"""Tests for the capstone result plots of problem 418 (mlpapers.diffusiongemma.capstone_plots)."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from mlpapers.diffusiongemma.capstone_plots import plot_capstone_summary  # noqa: E402


def test_bars_are_the_mean_forward_passes_and_the_sweep_is_plotted():
    passes = {"autoregressive": [64, 64, 64], "diffusion": [15, 17, 19], "no early stop": [192, 192, 192]}
    fig = plot_capstone_summary(passes, [1, 3, 48], [16.0, 5.5, 3.8], [0.15, 1.0, 1.0])
    ax_a, ax_b, ax_v = fig.axes
    heights = [p.get_height() for p in ax_a.patches]
    np.testing.assert_allclose(heights, [64, 17, 192])
    assert [t.get_text() for t in ax_a.get_xticklabels()] == list(passes)
    np.testing.assert_allclose(ax_b.lines[0].get_ydata(), [16.0, 5.5, 3.8])
    np.testing.assert_allclose(ax_v.lines[0].get_ydata(), [15.0, 100.0, 100.0])   # percent


def test_bad_sweep_lengths_and_empty_runs_raise():
    with pytest.raises(ValueError, match="budgets"):
        plot_capstone_summary({"a": [1]}, [1, 2], [1.0], [1.0, 1.0])
    with pytest.raises(ValueError, match="forward_passes"):
        plot_capstone_summary({"a": []}, [1], [1.0], [1.0])

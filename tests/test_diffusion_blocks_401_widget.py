"""Tests for the block-boundary explorer of problem 401: drive the controls from Python, check what is drawn."""

import math

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from mlpapers.diffusion_blocks import boundaries_widget as bw
from mlpapers.figures import reference

given = reference("diffusion_blocks")  # the instructor's given module, loaded by path


def _explorer():
    return bw.make_boundaries_explorer(given.block_boundaries, given.assign_block, given.lognormal_cdf)


def _by_gid(fig, gid):
    return [a for ax in fig.axes for a in ax.findobj() if getattr(a, "get_gid", lambda: None)() == gid]


def _edges(fig, prefix, B):
    return np.array([_by_gid(fig, f"{prefix}_edge_{b}")[0].get_xdata()[0] for b in range(B + 1)])


def test_controls_and_their_ranges():
    e = _explorer()
    assert set(e.controls) == {"num_blocks", "p_mean", "p_std"}
    c = e.controls
    assert (c["num_blocks"].min, c["num_blocks"].max, c["num_blocks"].value) == (1, 8, 3)
    assert (c["p_mean"].min, c["p_mean"].max, c["p_mean"].value) == (-3.0, 1.0, -1.2)
    assert (c["p_std"].min, c["p_std"].max, c["p_std"].value) == (0.4, 2.4, 1.2)
    assert all(ctrl.continuous_update is False for ctrl in c.values())


def test_default_view_is_the_headline():
    """B = 3 at EDM's defaults: boundaries [0.002, 0.1796, 0.5050, 80], 33.3 % each; log-uniform 10.8/84.8/4.4 %."""
    e = _explorer()
    np.testing.assert_allclose(_edges(e.figure, "equal", 3), [0.002, 0.17963247211160274, 0.5050414640313312, 80.0],
                               rtol=1e-12)
    np.testing.assert_allclose(_edges(e.figure, "loguniform", 3), [0.002, 0.0683990379, 2.339214195, 80.0],
                               rtol=1e-8)
    labels = [_by_gid(e.figure, f"equal_mass_{i}")[0].get_text() for i in range(3)]
    assert labels == ["block 2\n33.3 %", "block 1\n33.3 %", "block 0\n33.3 %"]
    labels = [_by_gid(e.figure, f"loguniform_mass_{i}")[0].get_text() for i in range(3)]
    assert labels == ["block 2\n10.8 %", "block 1\n84.8 %", "block 0\n4.4 %"]
    assert "33.3 %, 33.3 %, 33.3 %" in e.readout
    assert "4.4 %, 84.8 %, 10.8 %" in e.readout          # noisiest first


@pytest.mark.parametrize("B, p_mean, p_std", [(1, -1.2, 1.2), (2, -1.2, 1.2), (5, 0.0, 1.0), (8, 0.5, 0.4),
                                              (4, -2.5, 2.0)])
def test_edges_and_masses_are_the_students(B, p_mean, p_std):
    e = _explorer()
    e.controls["num_blocks"].value = B
    e.controls["p_mean"].value = p_mean
    e.controls["p_std"].value = p_std
    pm, ps = e.controls["p_mean"].value, e.controls["p_std"].value
    want = given.block_boundaries(B, 0.002, 80.0, pm, ps)
    np.testing.assert_allclose(_edges(e.figure, "equal", B), want, rtol=1e-12)
    np.testing.assert_allclose(_edges(e.figure, "loguniform", B), np.geomspace(0.002, 80.0, B + 1), rtol=1e-12)
    masses = bw.block_masses(want, given.lognormal_cdf, pm, ps)
    np.testing.assert_allclose(masses, 1.0 / B, rtol=1e-9)
    # one shaded band per block in each panel; the wide ones carry the routed block index
    for i in range(B):
        assert _by_gid(e.figure, f"equal_block_{i}") and _by_gid(e.figure, f"loguniform_block_{i}")
        label = _by_gid(e.figure, f"equal_mass_{i}")
        wide = math.log10(want[i + 1] / want[i]) >= bw.MIN_LABEL_DECADES
        assert bool(label) == wide
        if wide:
            assert label[0].get_text().startswith(f"block {B - 1 - i}\n")
    assert f"B = {B}," in e.readout
    assert e.readout.count("%") == 2 * B


def test_band_colour_follows_the_students_routing():
    """A routing that numbers blocks from the cleanest end shows up as swapped labels and colours."""
    def ascending(sigma, boundaries):
        b = np.asarray(boundaries)
        return np.clip(np.searchsorted(b, sigma, side="right") - 1, 0, b.size - 2)
    fig, _ = bw.draw_partition(block_boundaries=given.block_boundaries, assign_block=ascending,
                               lognormal_cdf=given.lognormal_cdf)
    assert _by_gid(fig, "equal_mass_0")[0].get_text().startswith("block 0\n")
    fig2, _ = bw.draw_partition(block_boundaries=given.block_boundaries, assign_block=given.assign_block,
                                lognormal_cdf=given.lognormal_cdf)
    assert _by_gid(fig2, "equal_mass_0")[0].get_text().startswith("block 2\n")


def test_density_is_normal_in_log_sigma():
    s = np.geomspace(1e-4, 1e3, 4001)
    d = bw.log_sigma_density(s, -1.2, 1.2)
    area = np.trapezoid(d, np.log(s)) if hasattr(np, "trapezoid") else np.trapz(d, np.log(s))
    assert area == pytest.approx(1.0, abs=1e-6)
    assert bw.log_sigma_density(math.exp(-1.2), -1.2, 1.2) == pytest.approx(1 / (1.2 * math.sqrt(2 * math.pi)))
    e = _explorer()
    line = _by_gid(e.figure, "equal_density")[0]
    np.testing.assert_allclose(line.get_ydata(), bw.log_sigma_density(line.get_xdata(), -1.2, 1.2), rtol=1e-12)
    assert line.axes.get_xscale() == "log"


def test_log_uniform_split():
    np.testing.assert_allclose(bw.log_uniform_split(2, 1.0, 100.0), [1.0, 10.0, 100.0])


def test_show_unattended_draws_a_static_figure_and_a_readout(monkeypatch):
    shown = []
    monkeypatch.setattr("mlpapers.widgetkit.display", lambda obj, **kw: shown.append(obj))
    e = _explorer()
    e.show(interactive=False)
    assert len(shown) == 2 and "mlpapers-readout" in shown[1].data

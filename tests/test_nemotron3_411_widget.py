"""Tests for the NVFP4 explorer of problem 411: drive the controls from Python, check what is drawn."""

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from mlpapers.figures import reference
from mlpapers.nemotron3 import nvfp4_widget as nw

given = reference("nemotron3")  # the instructor's given module, loaded by path
FUNCS = dict(nvfp4_quantize=given.nvfp4_quantize, nvfp4_dequantize=given.nvfp4_dequantize,
             mxfp4_fake_quant=given.mxfp4_fake_quant, fp8_fake_quant=given.fp8_fake_quant, rht16=given.rht16)


def _explorer():
    return nw.make_nvfp4_explorer(**FUNCS)


def _by_gid(fig, gid):
    return [a for ax in fig.axes for a in ax.findobj() if getattr(a, "get_gid", lambda: None)() == gid]


def _bar_heights(fig):
    bars = [p for p in _by_gid(fig, "mse_bars") if hasattr(p, "get_height")]
    assert len(bars) == len(nw.FORMATS)
    return np.array([b.get_height() for b in bars])


def _grid_x(fig):
    lines = _by_gid(fig, "block_grid")
    assert len(lines) == 1
    return np.sort(np.array([seg[0, 0] for seg in lines[0].get_segments()]))


def test_controls_and_their_ranges():
    e = _explorer()
    assert set(e.controls) == {"distribution", "block", "outlier"}
    assert [v for _, v in e.controls["distribution"].options] == ["gaussian", "student_t"]
    assert (e.controls["block"].min, e.controls["block"].max, e.controls["block"].value) == (0, 63, 0)
    assert [v for _, v in e.controls["outlier"].options] == list(nw.OUTLIERS) and e.controls["outlier"].value == 0.0
    assert e.controls["block"].continuous_update is False and e.controls["outlier"].continuous_update is False


def test_example_tensor():
    g = nw.example_tensor("gaussian")
    assert g.shape == (1024,) and abs(g.std() - 1) < 0.1
    t = nw.example_tensor("student_t", 3, 32.0)
    assert t[3 * 16 + 5] == 32.0 and abs(np.delete(t, 53).std() - 1) < 0.3
    with pytest.raises(ValueError, match="distribution"):
        nw.example_tensor("uniform")


@pytest.mark.parametrize("distribution, block, outlier", [("gaussian", 0, 0.0), ("gaussian", 63, 16.0),
                                                          ("student_t", 7, 0.0), ("student_t", 3, 128.0)])
def test_grid_is_the_blocks_e2m1_values_times_its_decode_scale(distribution, block, outlier):
    e = _explorer()
    e.controls["distribution"].value = distribution
    e.controls["block"].value = block
    e.controls["outlier"].value = outlier
    x = nw.example_tensor(distribution, block, outlier)
    q, s, enc = given.nvfp4_quantize(x)
    step = s[block] / enc
    want = np.sort(np.concatenate([-nw.E2M1_VALUES[1:], nw.E2M1_VALUES]) * step)
    np.testing.assert_allclose(_grid_x(e.figure), want, rtol=1e-12, atol=1e-15)
    ticks = _by_gid(e.figure, "block_values")[0]
    np.testing.assert_array_equal(ticks.get_xdata(), x[16 * block:16 * (block + 1)])
    assert f"block {block}: " in e.readout and f"s_b = {s[block]:g} (E4M3)" in e.readout


def test_bars_are_the_relative_errors_of_the_four_formats():
    e = _explorer()
    x = nw.example_tensor("gaussian")
    signs = nw.RHT_SIGNS
    nv = given.nvfp4_fake_quant(x)
    nv_rht = given.rht16(given.nvfp4_fake_quant(given.rht16(x, signs)), signs, inverse=True)
    want = [nw.relative_mse(given.fp8_fake_quant(x), x), nw.relative_mse(nv, x), nw.relative_mse(nv_rht, x),
            nw.relative_mse(given.mxfp4_fake_quant(x), x)]
    np.testing.assert_allclose(_bar_heights(e.figure), want, rtol=1e-12)
    heights = _bar_heights(e.figure)
    assert heights[0] < heights[1] < heights[3]          # FP8 < NVFP4 < MXFP4, as in the headline
    assert _by_gid(e.figure, "mse_bars")[0].axes.get_yscale() == "log"
    assert f"NVFP4 {want[1]:.5f}" in e.readout and "outlier not scored" not in e.readout


def test_an_outlier_stretches_its_block_and_hurts_mxfp4_more():
    e = _explorer()
    e.controls["block"].value = 3
    before = _bar_heights(e.figure)
    grid_before = _grid_x(e.figure).max()
    e.controls["outlier"].value = 32.0
    after = _bar_heights(e.figure)
    assert _grid_x(e.figure).max() > 8 * grid_before       # the block's grid now spans the outlier
    x = nw.example_tensor("gaussian", 3, 32.0)
    keep = np.ones(1024, dtype=bool)
    keep[53] = False
    assert after[1] == pytest.approx(nw.relative_mse(given.nvfp4_fake_quant(x), x, keep), rel=1e-12)
    assert after[3] - before[3] > 2 * (after[1] - before[1]) > 0
    q = given.nvfp4_quantize(x)[0][48:64]
    zeros = int(np.sum((q == 0) & (x[48:64] != 0)))
    assert zeros >= 10 and f"{zeros} of 16 nonzero values" in e.readout
    assert "outlier not scored" in e.readout


def test_relative_mse():
    assert nw.relative_mse([1.0, 2.0], [1.0, 1.0]) == pytest.approx(0.5)
    assert nw.relative_mse([1.0, 5.0], [1.0, 1.0], keep=[True, False]) == 0.0


def test_show_unattended_draws_a_static_figure_and_a_readout(monkeypatch):
    shown = []
    monkeypatch.setattr("mlpapers.widgetkit.display", lambda obj, **kw: shown.append(obj))
    e = _explorer()
    e.show(interactive=False)
    assert len(shown) == 2 and "mlpapers-readout" in shown[1].data

"""Tests for problem 372's explorer: drive the controls from Python, check what is drawn.

The student's functions are stood in for by the chapter's instructor module, loaded by path.
"""
import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from mlpapers.deepseek_v4 import bill_widget as bw
from mlpapers.figures import reference
from coursekit import quickest_redraw

given = reference("deepseek_v4")  # the instructor's given module, loaded by path


def _explorer(kv_cache_bytes=given.kv_cache_bytes, decode_flops=given.decode_flops):
    return bw.make_bill_explorer(kv_cache_bytes, decode_flops, given.published_configs)


def _by_gid(fig, gid):
    return [a for ax in fig.axes for a in ax.findobj() if getattr(a, "get_gid", lambda: None)() == gid]


def _line(fig, gid):
    (line,) = _by_gid(fig, gid)
    return np.asarray(line.get_xdata(), dtype=float), np.asarray(line.get_ydata(), dtype=float)


def _bar(fig, design, part):
    (patch,) = _by_gid(fig, f"part_{design}_{part}")
    return patch.get_height()


def test_controls_and_the_published_headline():
    e = _explorer()
    assert set(e.controls) == {"storage", "weights", "m", "m_hca", "top_k", "n_win", "n_ctx"}
    values = [v for _, v in e.controls["n_ctx"].options]
    assert values[0] == 4096 and values[-1] == 2 ** 20 and all(b == 2 * a for a, b in zip(values, values[1:]))
    assert e.controls["n_ctx"].value == 2 ** 20
    # the report's four numbers: 10 % / 27 % (Pro), 7 % / 10 % (Flash), as the course's accounting gives them
    assert "5,280,404,480 B" in e.readout and "( 10.48 %)" in e.readout and "( 26.50 %)" in e.readout
    assert "3,688,172,544 B" in e.readout and "(  7.32 %)" in e.readout and "(  9.93 %)" in e.readout
    assert "components add up to decode_flops: yes" in e.readout


def test_curves_are_the_student_functions_on_the_published_configs():
    e = _explorer()
    cfgs = given.published_configs()
    for design in bw.DESIGNS:
        x, y = _line(e.figure, f"kv_{design}")
        assert list(x) == list(bw.CONTEXTS)
        np.testing.assert_allclose(y, [given.kv_cache_bytes(cfgs[design], n) / 1e9 for n in bw.CONTEXTS])
        x, y = _line(e.figure, f"flops_{design}")
        np.testing.assert_allclose(y, [given.decode_flops(cfgs[design], n) / 1e9 for n in bw.CONTEXTS])
    assert e.figure.axes[0].get_xscale() == "log" and e.figure.axes[1].get_xscale() == "log"
    # V3.2 grows linearly in the context, V4-Pro's cache is ten times smaller at 1M
    _, v32 = _line(e.figure, "kv_V3.2")
    _, pro = _line(e.figure, "kv_V4-Pro")
    assert v32[-1] / v32[-2] == pytest.approx(2.0) and pro[-1] / v32[-1] == pytest.approx(0.104764, abs=1e-6)


def test_component_bars_add_up_and_v32_is_mostly_indexer():
    e = _explorer()
    cfgs = given.published_configs()
    for design in bw.DESIGNS:
        parts = [_bar(e.figure, design, p) for p, _ in bw.COMPONENTS]
        assert sum(parts) == pytest.approx(given.decode_flops(cfgs[design], 2 ** 20) / 1e9)
    assert _bar(e.figure, "V3.2", "indexer") == pytest.approx(1047.972020224)
    assert _bar(e.figure, "V4-Pro", "parameters") == pytest.approx(98.0)
    assert _bar(e.figure, "V4-Pro", "attention") == pytest.approx(153.34375424)


def test_storage_and_weight_dropdowns():
    e = _explorer()
    e.controls["storage"].value = "bf16"
    assert "( 11.47 %)" in e.readout and "(  8.02 %)" in e.readout and "83.875 GiB" in e.readout
    assert "all BF16" in e.readout
    e.controls["storage"].value = "no_scales"
    assert bw.design_configs(given.published_configs(), "no_scales")["V4-Pro"]["bytes_entry"] == 576
    e.controls["storage"].value = "packed"
    e.controls["weights"].value = "ones"
    assert "( 26.24 %)" in e.readout and "( 12.09 %)" in e.readout


def test_design_sliders_change_only_the_v4_designs():
    e = _explorer()
    _, before = _line(e.figure, "kv_V3.2")
    e.controls["m_hca"].value = 512
    e.controls["top_k"].value = 4096
    e.controls["n_win"].value = 0
    e.controls["m"].value = 8
    _, after = _line(e.figure, "kv_V3.2")
    np.testing.assert_array_equal(before, after)
    cfgs = bw.design_configs(given.published_configs(), m=8, m_hca=512, top_k=4096, n_win=0)
    assert cfgs["V4-Pro"]["n_win"] == 0 and cfgs["V4-Flash"]["top_k"] == 4096 and cfgs["V3.2"]["top_k"] == 2048
    _, pro = _line(e.figure, "flops_V4-Pro")
    np.testing.assert_allclose(pro, [given.decode_flops(cfgs["V4-Pro"], n) / 1e9 for n in bw.CONTEXTS])
    assert "m = 8, m' = 512, top-k = 4096 (Pro) / 4096 (Flash), n_win = 0" in e.readout
    # the published top-k is kept per design when the slider says "published"
    e.controls["top_k"].value = 0
    assert "top-k = 1024 (Pro) / 512 (Flash)" in e.readout


def test_context_slider_moves_the_bars_and_readout():
    e = _explorer()
    e.controls["n_ctx"].value = 131072
    assert "128K = 131,072 tokens" in e.readout and "664,040,448 B" in e.readout
    cfgs = given.published_configs()
    total = sum(_bar(e.figure, "V4-Flash", p) for p, _ in bw.COMPONENTS)
    assert total == pytest.approx(given.decode_flops(cfgs["V4-Flash"], 131072) / 1e9)


def test_the_widget_draws_what_the_student_functions_return():
    """A bill without the indexer keys shows up in the curves; FLOPs that are not linear in the weights
    show up in the readout."""
    def no_indexer_keys(cfg, n):
        return given.kv_cache_bytes({**cfg, "bytes_idx": 0}, n)

    e = _explorer(kv_cache_bytes=no_indexer_keys)
    _, y = _line(e.figure, "kv_V3.2")
    assert y[-1] == pytest.approx(61 * 656 * 2 ** 20 / 1e9)

    def constant_overhead(cfg, n):
        return given.decode_flops(cfg, n) + 1e9

    e = _explorer(decode_flops=constant_overhead)
    assert "components add up to decode_flops: NO" in e.readout


def test_redraw_is_fast():
    e = _explorer()
    assert quickest_redraw(e, "n_ctx", (4096, 65536, 2 ** 20)) < 1.0

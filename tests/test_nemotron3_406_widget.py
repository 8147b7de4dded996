"""Tests for the cache explorer of problem 406: drive the controls from Python, check what is drawn."""

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from mlpapers.nemotron3 import cache_widget as cw
from mlpapers.nemotron3.configs import config
from mlpapers.figures import reference

given = reference("nemotron3")  # the instructor's given module, loaded by path
GIB = 2.0 ** 30


def _explorer():
    return cw.make_cache_explorer(given.decode_cache_bytes, given.attention_only_config)


def _by_gid(fig, gid):
    return [a for ax in fig.axes for a in ax.findobj() if getattr(a, "get_gid", lambda: None)() == gid]


def _bar_height(fig, model, part):
    patches = _by_gid(fig, f"bar_{model}_{part}")
    assert len(patches) == 1
    return patches[0].get_height()


def test_controls_and_their_ranges():
    e = _explorer()
    assert set(e.controls) == {"seq_len", "kv_bytes", "ssm_bytes"}
    slider = e.controls["seq_len"]
    assert [v for _, v in slider.options] == [2 ** k for k in range(10, 21)]   # 1K .. 1M, one step per doubling
    assert slider.value == 2 ** 20 and slider.continuous_update is False
    assert [v for _, v in e.controls["kv_bytes"].options] == [2.0, 1.0, 4.0] and e.controls["kv_bytes"].value == 2.0
    assert [v for _, v in e.controls["ssm_bytes"].options] == [4.0, 2.0] and e.controls["ssm_bytes"].value == 4.0


def test_default_view_shows_the_headline():
    e = _explorer()
    np.testing.assert_allclose(_bar_height(e.figure, "Super", "kv"), 8589934592 / GIB, rtol=1e-12)
    np.testing.assert_allclose(_bar_height(e.figure, "Super", "ssm"), 167772160 / GIB, rtol=1e-12)
    np.testing.assert_allclose(_bar_height(e.figure, "Super", "conv"), 2457600 / GIB, rtol=1e-12)
    np.testing.assert_allclose(_bar_height(e.figure, "Super all-attention", "kv"), 48.0, rtol=1e-12)
    assert _bar_height(e.figure, "Super all-attention", "ssm") == 0.0
    np.testing.assert_allclose(_bar_height(e.figure, "Qwen3-30B-A3B", "kv"), 96.0, rtol=1e-12)
    assert "Super all-attention / Super: 5.8834x" in e.readout
    assert "L* = 20,780 tokens (Super), 7,988.7 (Nano)" in e.readout
    assert _by_gid(e.figure, "crossover_Super")[0].get_xdata()[0] == pytest.approx(20780.0)
    assert _by_gid(e.figure, "crossover_Nano")[0].get_xdata()[0] == pytest.approx(7988.0 + 2 / 3)


@pytest.mark.parametrize("seq_len, kv_bytes, ssm_bytes", [(1024, 2.0, 4.0), (131072, 1.0, 4.0), (2 ** 16, 4.0, 2.0),
                                                          (2 ** 20, 1.0, 2.0)])
def test_bars_are_the_students_cache(seq_len, kv_bytes, ssm_bytes):
    e = _explorer()
    e.controls["kv_bytes"].value = kv_bytes
    e.controls["ssm_bytes"].value = ssm_bytes
    e.controls["seq_len"].value = seq_len
    cfgs = cw.model_configs(given.attention_only_config)
    for model, cfg in cfgs.items():
        want = given.decode_cache_bytes(cfg, seq_len, kv_bytes=kv_bytes, ssm_bytes=ssm_bytes, conv_bytes=2.0)
        for part in ("kv", "ssm", "conv"):
            np.testing.assert_allclose(_bar_height(e.figure, model, part), want[part] / GIB, rtol=1e-12)
        line = _by_gid(e.figure, f"total_{model}")[0]
        np.testing.assert_array_equal(line.get_xdata(), cw.CONTEXTS)
        want_line = [given.decode_cache_bytes(cfg, n, kv_bytes=kv_bytes, ssm_bytes=ssm_bytes)["total"] / GIB
                     for n in cw.CONTEXTS]
        np.testing.assert_allclose(line.get_ydata(), want_line, rtol=1e-12)
    assert _by_gid(e.figure, "context")[0].get_xdata()[0] == seq_len
    assert f"{seq_len:,} tokens" in e.readout


def test_dtypes_move_the_crossover():
    """fp8 KV doubles L*; a bf16 SSM state shrinks it to (ssm / 2 + conv) / kv per token."""
    e = _explorer()
    e.controls["kv_bytes"].value = 1.0
    assert _by_gid(e.figure, "crossover_Super")[0].get_xdata()[0] == pytest.approx(41560.0)
    e.controls["kv_bytes"].value = 2.0
    e.controls["ssm_bytes"].value = 2.0
    assert _by_gid(e.figure, "crossover_Super")[0].get_xdata()[0] == pytest.approx((83886080 + 2457600) / 8192)
    assert "L* = 10,540 tokens (Super)" in e.readout


def test_short_context_favours_the_all_attention_twin():
    """At 1K tokens Super's state outweighs the KV cache of 48 attention layers."""
    e = _explorer()
    e.controls["seq_len"].value = 1024
    hybrid = sum(_bar_height(e.figure, "Super", p) for p in ("kv", "ssm", "conv"))
    twin = sum(_bar_height(e.figure, "Super all-attention", p) for p in ("kv", "ssm", "conv"))
    assert twin < hybrid
    assert _bar_height(e.figure, "Super", "ssm") > 10 * _bar_height(e.figure, "Super", "kv")


def test_crossover_tokens_edge_cases():
    assert cw.crossover_tokens(given.decode_cache_bytes, config("super")) == pytest.approx(20780.0)
    assert cw.crossover_tokens(given.decode_cache_bytes, config("qwen3_30b_a3b_kv")) == 0.0
    mamba_only = {"hybrid_override_pattern": "MEME", "mamba_num_heads": 2, "mamba_head_dim": 4,
                  "ssm_state_size": 8, "n_groups": 1, "conv_kernel": 4}
    assert cw.crossover_tokens(given.decode_cache_bytes, mamba_only) == float("inf")


def test_pattern_strip_draws_one_box_per_layer():
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots()
    pattern = config("nano")["hybrid_override_pattern"]
    cw.draw_pattern_strip(ax, pattern)
    boxes = [p for p in ax.patches if (p.get_gid() or "").startswith("layer_")]
    assert len(boxes) == 52
    attention = sorted(int(p.get_gid().split("_")[1]) for p in boxes if p.get_gid().endswith("_*"))
    assert attention == [5, 12, 19, 26, 33, 42]
    plt.close(fig)


def test_show_unattended_draws_a_static_figure_and_a_readout(monkeypatch):
    shown = []
    monkeypatch.setattr("mlpapers.widgetkit.display", lambda obj, **kw: shown.append(obj))
    e = _explorer()
    e.show(interactive=False)
    assert len(shown) == 2 and "mlpapers-readout" in shown[1].data

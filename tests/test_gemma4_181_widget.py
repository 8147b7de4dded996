"""Tests for the problem 181 explorer: drive the controls from Python, check what is drawn."""
import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from mlpapers.gemma4 import attention_widget as aw
from mlpapers.figures import reference
from coursekit import quickest_redraw

given = reference("gemma4")  # the instructor's given module, loaded by path


def _explorer(seed=0):
    return aw.make_attention_explorer(given.gemma4_qkv, given.attention_core, given.rope_inv_freq, seed=seed)


def _by_gid(fig, gid):
    return [a for ax in fig.axes for a in ax.findobj() if getattr(a, "get_gid", lambda: None)() == gid]


def _heatmap(fig, head):
    return _by_gid(fig, f"weights_head{head}")[0].get_array()        # masked (T, T)


def _softmax_rows(q, k, window, scale):
    """Test-only weights (H, T, T): loops over queries, causal or sliding mask, one shared KV head."""
    T_, H, _ = q.shape
    out = np.zeros((H, T_, T_))
    for h in range(H):
        for i in range(T_):
            seen = [j for j in range(T_) if j <= i and (window is None or i - j < window)]
            s = np.array([scale * q[i, h] @ k[j, 0] for j in seen])
            a = np.exp(s - s.max())
            out[h, i, seen] = a / a.sum()
    return out


def _q_k(g=1.0, seed=0):
    data = aw.layer_data(seed)
    ones = np.ones(aw.HEAD_DIM)
    q, k, _ = given.gemma4_qkv(data["x"], data["w_q"], data["w_k"], data["w_v"], g * ones, g * ones,
                               aw.N_HEADS, aw.N_KV_HEADS, aw.HEAD_DIM, data["positions"],
                               given.rope_inv_freq(aw.HEAD_DIM, aw.THETA))
    return q, k


def test_controls_and_defaults():
    e = _explorer()
    assert set(e.controls) == {"window", "divide_by_sqrt_d", "norm_scale"}
    assert e.controls["window"].value == aw.T == e.controls["window"].max
    assert e.controls["window"].min == 1
    assert e.controls["divide_by_sqrt_d"].value is False
    assert e.controls["norm_scale"].value == pytest.approx(1.0)
    assert aw.HEAD_DIM >= aw.T  # one-hot values need head_dim >= T
    assert e.readout.startswith("causal, g = 1.00")


def test_heatmaps_are_the_scale_one_weights_with_the_causal_mask():
    e = _explorer()
    q, k = _q_k()
    want = _softmax_rows(q, k, None, 1.0)
    for h in range(aw.N_HEADS):
        img = _heatmap(e.figure, h)
        assert img.shape == (aw.T, aw.T)
        np.testing.assert_array_equal(np.ma.getmaskarray(img), np.triu(np.ones((aw.T, aw.T), bool), k=1))
        np.testing.assert_allclose(img.filled(0.0), want[h], rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(img.sum(axis=1), 1.0, atol=1e-12)
    # the two query heads share one KV head but have their own queries: different pictures
    assert not np.allclose(_heatmap(e.figure, 0).filled(0), _heatmap(e.figure, 1).filled(0))


def test_window_slider_masks_a_band_of_W_keys():
    e = _explorer()
    q, k = _q_k()
    for W in (1, 4, 9):
        e.controls["window"].value = W
        img = _heatmap(e.figure, 0)
        i, j = np.meshgrid(np.arange(aw.T), np.arange(aw.T), indexing="ij")
        np.testing.assert_array_equal(~np.ma.getmaskarray(img), (j <= i) & (i - j < W))
        np.testing.assert_allclose(img.filled(0.0), _softmax_rows(q, k, W, 1.0)[0], rtol=1e-9, atol=1e-12)
        assert f"sliding window W = {W}" in e.readout
    # W = 1: each query sees only itself, so every weight is 1 and every entropy 0
    e.controls["window"].value = 1
    np.testing.assert_allclose(_heatmap(e.figure, 1).compressed(), 1.0)
    np.testing.assert_allclose(_by_gid(e.figure, "entropy_scale1")[0].get_ydata(), 0.0, atol=1e-12)


def test_sqrt_d_toggle_softens_the_rows():
    e = _explorer()
    q, k = _q_k()
    before = e.readout
    e.controls["divide_by_sqrt_d"].value = True
    assert e.readout != before and "showing ÷√d" in e.readout
    np.testing.assert_allclose(_heatmap(e.figure, 0).filled(0.0), _softmax_rows(q, k, None, aw.HEAD_DIM ** -0.5)[0],
                               rtol=1e-9, atol=1e-12)
    ent1 = _by_gid(e.figure, "entropy_scale1")[0].get_ydata()
    ent2 = _by_gid(e.figure, "entropy_sqrt_d")[0].get_ydata()
    uniform = _by_gid(e.figure, "entropy_uniform")[0].get_ydata()
    np.testing.assert_allclose(uniform, np.log(np.arange(1, aw.T + 1)))
    assert ent2.mean() > ent1.mean() + 0.5          # scale 1 is much sharper at g = 1, d = 16
    assert np.all(ent2 <= uniform + 1e-12) and np.all(ent1 <= uniform + 1e-12)


def test_norm_weight_d_to_minus_quarter_reproduces_the_sqrt_d_softmax():
    e = _explorer()
    e.controls["divide_by_sqrt_d"].value = True
    gemma3 = [_heatmap(e.figure, h).filled(0.0) for h in range(aw.N_HEADS)]
    e.controls["divide_by_sqrt_d"].value = False
    e.controls["norm_scale"].value = aw.HEAD_DIM ** -0.25          # 0.5
    assert "g = 0.50" in e.readout
    for h in range(aw.N_HEADS):
        np.testing.assert_allclose(_heatmap(e.figure, h).filled(0.0), gemma3[h], rtol=1e-7, atol=1e-10)
    # larger g sharpens: mean entropy falls as g grows
    means = []
    for g in (0.25, 1.0, 2.0):
        e.controls["norm_scale"].value = g
        means.append(_by_gid(e.figure, "entropy_scale1")[0].get_ydata().mean())
    assert means[0] > means[1] > means[2]


def test_every_control_changes_figure_and_readout_and_redraws_fast():
    e = _explorer()
    e.controls["window"].value = 14  # one redraw first: first-use costs (fonts, caches) are not the widget's
    for name, values in (("window", (15, 12, 9)), ("divide_by_sqrt_d", (True, False, True)),
                         ("norm_scale", (1.05, 0.8, 1.2))):
        fig, text = e.figure, e.readout
        assert quickest_redraw(e, name, values) < 1.0
        assert e.figure is not fig and e.readout != text
    assert e.redraws == 11


def test_draw_uses_the_functions_it_is_given():
    calls = {"qkv": 0, "core": 0}

    def qkv(*args, **kwargs):
        calls["qkv"] += 1
        return given.gemma4_qkv(*args, **kwargs)

    def core(*args, **kwargs):
        calls["core"] += 1
        return given.attention_core(*args, **kwargs)

    fig, readout = aw.draw_attention(gemma4_qkv=qkv, attention_core=core, rope_inv_freq=given.rope_inv_freq,
                                     data=aw.layer_data(3), window=5)
    assert calls == {"qkv": 1, "core": 3}
    assert "sliding window W = 5" in readout and len(fig.axes) >= 3

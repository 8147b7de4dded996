"""Tests for the 371 compressor explorer: drive the controls from Python, check what is drawn."""

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from mlpapers.deepseek_v4 import compressor_widget as cw
from mlpapers.figures import reference

given = reference("deepseek_v4")  # the instructor's given module, loaded by path


def _explorer(csa=None):
    return cw.make_compressor_explorer(csa or given.csa_compress, given.hca_compress, given.compressed_visibility)


def _by_gid(fig, gid):
    return [a for ax in fig.axes for a in ax.findobj() if getattr(a, "get_gid", lambda: None)() == gid]


def _span(fig, gid):
    """(first, last) token of a bracket drawn with gid ``gid``."""
    (line,) = _by_gid(fig, gid)
    xs = line.get_xdata()
    return int(round(min(xs) + 0.4)), int(round(max(xs) - 0.4))


def _no_b_series(H, W_aKV, W_bKV, W_aZ, W_bZ, B_a, B_b, m):
    """A wrong CSA (no b-series): the widget must show it, not hide it."""
    return given.hca_compress(H, W_aKV, W_aZ, B_a, m)


def test_controls_and_first_drawing():
    e = _explorer()
    assert set(e.controls) == {"m", "n", "mode", "channel"}
    assert (e.controls["m"].min, e.controls["m"].max) == (1, cw.MAX_M)
    assert (e.controls["n"].min, e.controls["n"].max) == (1, cw.MAX_TOKENS)
    assert all(getattr(c, "continuous_update", False) is False for n, c in e.controls.items() if n != "mode")
    assert e.redraws == 1 and e.figure is not None
    assert "n = 16, m = 4: 4 entries" in e.readout


def test_csa_brackets_overlap_and_hca_brackets_are_disjoint():
    e = _explorer()
    e.controls["n"].value = 18
    fig = e.figure
    assert [_span(fig, f"csa_bracket_{i}") for i in range(4)] == [(0, 3), (0, 7), (4, 11), (8, 15)]
    assert [_span(fig, f"hca_bracket_{i}") for i in range(4)] == [(0, 3), (4, 7), (8, 11), (12, 15)]
    assert not _by_gid(fig, "csa_bracket_4")                 # tokens 16, 17 are the tail
    assert "2 tail token(s)" in e.readout and "neighbours overlap: yes" in e.readout


def test_weights_heat_map_rows_are_convex_and_follow_the_mode():
    e = _explorer()
    e.controls["m"].value, e.controls["n"].value = 3, 12
    (img,) = _by_gid(e.figure, "weights")
    w = np.asarray(img.get_array())
    assert w.shape == (4, 12)
    assert np.allclose(w.sum(axis=1), 1.0) and np.all(w >= 0)
    assert np.all(w[0, 3:] == 0) and np.all(w[2, :3] == 0) and np.all(w[2, 3:9] > 0)   # CSA: blocks 1, 2
    e.controls["mode"].value = "hca"
    (img,) = _by_gid(e.figure, "weights")
    w = np.asarray(img.get_array())
    assert np.all(w[2, :6] == 0) and np.all(w[2, 6:9] > 0) and np.allclose(w.sum(axis=1), 1.0)
    assert "HCA weights of channel 0 per entry sum to 1.000000" in e.readout


def test_weights_are_the_compressors_own():
    """Channel j of the one-hot read-out reproduces the compressor's output on the layer."""
    layer = cw.toy_layer(0)
    n, m, ch = 12, 4, 2
    w = cw.pooling_weights(given.csa_compress, layer, n, m, ch, "csa")
    H = layer["H"][:n]
    out = given.csa_compress(H, layer["W_aKV"], layer["W_bKV"], layer["W_aZ"], layer["W_bZ"],
                             layer["B_a"][:m], layer["B_b"][:m], m)
    Ca, Cb = H @ layer["W_aKV"][:, ch], H @ layer["W_bKV"][:, ch]
    for i in range(n // m):
        a = slice(m * i, m * (i + 1))
        b = slice(m * (i - 1), m * i) if i else slice(0, 0)
        assert np.isclose(out[i, ch], w[i, a] @ Ca[a] + w[i, b] @ Cb[b], rtol=1e-12)


def test_channel_changes_weights_not_windows():
    e = _explorer()
    before = np.asarray(_by_gid(e.figure, "weights")[0].get_array()).copy()
    spans = [_span(e.figure, f"csa_bracket_{i}") for i in range(4)]
    e.controls["channel"].value = 1
    after = np.asarray(_by_gid(e.figure, "weights")[0].get_array())
    assert not np.allclose(before, after)
    assert [_span(e.figure, f"csa_bracket_{i}") for i in range(4)] == spans


@pytest.mark.parametrize("m, n", [(4, 16), (3, 10), (1, 5)])
def test_visibility_mask_is_the_students(m, n):
    e = _explorer()
    e.controls["m"].value, e.controls["n"].value = m, n
    (img,) = _by_gid(e.figure, "visibility")
    mask = np.asarray(img.get_array()) > 0.5
    t, i = np.meshgrid(np.arange(n), np.arange(n // m), indexing="ij")
    assert mask.shape == (n, n // m)
    assert np.array_equal(mask, m * (i + 1) <= t + 1)
    assert f"first visible to query t = {m - 1}" in e.readout


def test_nothing_compressed_when_n_below_m():
    e = _explorer()
    e.controls["m"].value, e.controls["n"].value = 8, 5
    assert not _by_gid(e.figure, "weights") and not _by_gid(e.figure, "visibility")
    assert not _by_gid(e.figure, "csa_bracket_0")
    assert "nothing is compressed" in e.readout


def test_a_wrong_compressor_shows_up():
    e = _explorer(csa=_no_b_series)
    assert [_span(e.figure, f"csa_bracket_{i}") for i in range(4)] == [(0, 3), (4, 7), (8, 11), (12, 15)]
    assert "neighbours overlap: no" in e.readout


def test_show_static_when_unattended(monkeypatch):
    shown = []
    monkeypatch.setattr("mlpapers.widgetkit.display", lambda obj, **kw: shown.append(obj))
    _explorer().show(interactive=False)
    assert len(shown) == 2                                    # figure and readout, no controls

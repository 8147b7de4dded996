"""Tests for the problem 370 explorer (DeepSeek Sparse Attention): drive the controls, check what is drawn.

The student's functions are the chapter's given module loaded by path. Expected values come from
closed forms written here with plain loops: I[t, s] = sum_h w[t, h] max(q[t, h] . k[s], 0) (eq. 1),
the top-k rule of the task (visible s <= t, ties to the smaller position), and the attention mass
sum_s e^z / (sum_s e^z + e^z') of eq. (4).
"""
import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from mlpapers.deepseek_v4 import dsa_widget as dw
from mlpapers.figures import reference
from coursekit import quickest_redraw

given = reference("deepseek_v4")  # the instructor's given module, loaded by path

T = dw.T


def _explorer(seed=0):
    return dw.make_dsa_explorer(given.indexer_scores, given.topk_select, given.sparse_mqa_attention, seed=seed)


def _by_gid(fig, gid):
    return [a for ax in fig.axes for a in ax.findobj() if getattr(a, "get_gid", lambda: None)() == gid]


def _scores(data, n_heads):
    out = np.zeros((T, T))
    for t in range(T):
        for s in range(T):
            out[t, s] = sum(data["w_idx"][t, h] * max(float(data["q_idx"][t, h] @ data["k_idx"][s]), 0.0)
                            for h in range(n_heads))
    return out


def _selection(scores, k):
    """The set of (t, s) cells the task's rule keeps."""
    cells = set()
    for t in range(T):
        ranked = sorted(range(t + 1), key=lambda s: (-scores[t, s], s))[:k]
        cells |= {(t, s) for s in ranked}
    return cells


def _drawn_cells(fig):
    offsets = _by_gid(fig, "selected")[0].get_offsets()
    return {(int(round(y)), int(round(x))) for x, y in offsets}


def _mass(fig, h):
    return np.array([b.get_height() for b in _by_gid(fig, f"mass_head{h}")])


def _want_mass(data, cells, sink):
    want = np.zeros((T, dw.N_HEADS))
    for t in range(T):
        sel = [s for (tt, s) in cells if tt == t]
        for h in range(dw.N_HEADS):
            e = np.exp([data["q"][t, h] @ data["keys"][s] / np.sqrt(dw.D) for s in sel])
            want[t, h] = e.sum() / (e.sum() + np.exp(sink))
    return want


def test_controls_and_defaults():
    e = _explorer()
    assert set(e.controls) == {"k", "indexer_heads", "sink"}
    assert all(c.continuous_update is False for c in e.controls.values())
    assert (e.controls["k"].value, e.controls["indexer_heads"].value, e.controls["sink"].value) == (4, 4, 0.0)
    assert (e.controls["k"].min, e.controls["k"].max) == (1, T)
    assert e.controls["indexer_heads"].max == dw.MAX_INDEXER_HEADS
    assert e.controls["sink"].min < 0 < e.controls["sink"].max


def test_heatmap_shows_equation_1_and_greys_the_future():
    e = _explorer()
    data = dw.scenario(0)
    for n in (4, 1, 8):
        e.controls["indexer_heads"].value = n
        img = np.ma.filled(np.ma.masked_invalid(np.asarray(_by_gid(e.figure, "scores")[0].get_array(), dtype=float)),
                           np.nan)
        want = _scores(data, n)
        lower = np.tri(T, dtype=bool)
        assert np.allclose(img[lower], want[lower], rtol=1e-12, atol=1e-12)
        assert np.all(np.isnan(img[~lower]))                       # future cells are not coloured
        assert f"{n} indexer head" in e.readout


@pytest.mark.parametrize("k", [1, 4, 7, T])
def test_outlined_cells_follow_the_top_k_rule(k):
    e = _explorer()
    e.controls["k"].value = k
    want = _selection(_scores(dw.scenario(0), 4), k)
    drawn = _drawn_cells(e.figure)
    assert drawn == want
    assert len(drawn) == sum(min(k, t + 1) for t in range(T))
    assert all(s <= t for t, s in drawn)
    assert f"{len(drawn)} cells selected (0 in the future)" in e.readout


def test_changing_indexer_heads_moves_the_selection():
    e = _explorer()
    before = _drawn_cells(e.figure)
    e.controls["indexer_heads"].value = 1
    after = _drawn_cells(e.figure)
    assert after == _selection(_scores(dw.scenario(0), 1), 4)
    assert after != before


def test_mass_bars_follow_equation_4_and_drop_with_the_sink():
    e = _explorer()
    data = dw.scenario(0)
    cells = _selection(_scores(data, 4), 4)
    means = []
    for sink in (-6.0, 0.0, 2.5, 6.0):
        e.controls["sink"].value = sink
        got = np.stack([_mass(e.figure, h) for h in range(dw.N_HEADS)], axis=1)
        want = _want_mass(data, cells, sink)
        assert np.allclose(got, want, rtol=1e-9, atol=1e-12)
        assert np.all(got < 1.0)
        assert f"sink logit {sink:+.1f}" in e.readout
        assert f"mean {want.mean():.3f}" in e.readout
        means.append(got.mean())
    assert means == sorted(means, reverse=True)                    # more sink, less mass on the keys
    assert means[0] > 0.95 and means[-1] < 0.2


def test_seed_changes_the_scenario_and_redraws_are_fast():
    a, b = _explorer(0), _explorer(1)
    assert a.readout != b.readout or _drawn_cells(a.figure) != _drawn_cells(b.figure)
    assert quickest_redraw(a, "k", (2, 3, 5)) < 1.0

"""Tests for problem 185's explorer: drive the controls from Python, check what is drawn.

The student's functions are stood in for by the chapter's instructor module, loaded by path.
"""
import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from matplotlib.patches import Rectangle

from mlpapers.gemma4 import kv_cache_widget as kw
from mlpapers.gemma4.configs import FULL, SLIDING, config
from mlpapers.figures import reference
from coursekit import quickest_redraw

given = reference("gemma4")  # the instructor's given module, loaded by path

GIB = 2.0 ** 30


def _explorer(kv_sharing_map=given.kv_sharing_map, kv_cache_bytes=given.kv_cache_bytes):
    return kw.make_kv_sharing_explorer(kv_sharing_map, kv_cache_bytes)


def _by_gid(fig, prefix):
    return [a for ax in fig.axes for a in ax.findobj()
            if (getattr(a, "get_gid", lambda: None)() or "").startswith(prefix)]


def _arcs(fig):
    """{reader: producer} from the diagram's arcs (gid reads_<i>_<src>)."""
    out = {}
    for a in _by_gid(fig, "reads_"):
        _, i, s = a.get_gid().split("_")
        out[int(i)] = int(s)
    return out


def _bar_total(fig, model):
    return sum(p.get_height() for p in _by_gid(fig, f"segment_{model}_"))


def test_controls_and_defaults():
    e = _explorer()
    assert set(e.controls) == {"model", "seq_len", "share_kv", "use_sliding_window", "global_kv_tensors"}
    assert e.controls["seq_len"].options[0][1] == 1024 and e.controls["seq_len"].options[-1][1] == 262144
    # one option per doubling: the slider is logarithmic in the context length
    values = [v for _, v in e.controls["seq_len"].options]
    assert all(b == 2 * a for a, b in zip(values, values[1:]))
    assert e.controls["seq_len"].value == 131072 and e.controls["model"].value == "E2B"
    assert "811,597,824 B" in e.readout and "per-layer bars add up to kv_cache_bytes: yes" in e.readout


def test_diagram_shows_the_e2b_producer_map():
    e = _explorer()
    fig = e.figure
    owners, shared = _by_gid(fig, "owner_"), _by_gid(fig, "shared_")
    assert len(owners) == 15 and len(shared) == 20
    assert _arcs(fig) == {i: (14 if i % 5 == 4 else 13) for i in range(15, 35)}
    # owners are filled with their type's colour, shared layers are hatched
    types = config("E2B")["layer_types"]
    for box in owners:
        i = int(box.get_gid().split("_")[1])
        assert matplotlib.colors.same_color(box.get_facecolor(), kw.COLOURS[types[i]])
    assert all(box.get_hatch() for box in shared)


def test_sharing_toggle_removes_the_arcs_and_grows_e2b_by_7_over_3():
    e = _explorer()
    before = _bar_total(e.figure, "E2B")
    e.controls["share_kv"].value = False
    fig = e.figure
    assert not _arcs(fig) and len(_by_gid(fig, "owner_")) == 35
    assert _bar_total(fig, "E2B") == pytest.approx(before * 7 / 3)
    assert _bar_total(fig, "E2B") == pytest.approx(1_893_728_256 / GIB)
    assert "KV sharing off" in e.readout and "1,893,728,256 B" in e.readout


def test_stacked_segments_are_the_layers_and_add_up_to_the_total():
    e = _explorer()
    fig = e.figure
    for m in kw.MODELS:
        want = given.kv_cache_bytes(config(m), 131072) / GIB
        assert _bar_total(fig, m) == pytest.approx(want)
    # E2B: one segment per owner: 12 sliding of 512 KiB and 3 full of 256 MiB
    heights = sorted(p.get_height() * GIB for p in _by_gid(fig, "segment_E2B_"))
    assert heights == pytest.approx([2 ** 19] * 12 + [2 ** 28] * 3)
    assert len(_by_gid(fig, "segment_31B_")) == 60


def test_window_toggle_and_context_slider():
    e = _explorer()
    e.controls["use_sliding_window"].value = False
    assert _bar_total(e.figure, "E2B") == pytest.approx(2_415_919_104 / GIB)
    assert "sliding window off" in e.readout
    e.controls["use_sliding_window"].value = True
    e.controls["seq_len"].value = 1024
    fig = e.figure
    assert "1K = 1,024 tokens" in e.readout
    assert _bar_total(fig, "31B") == pytest.approx(given.kv_cache_bytes(config("31B"), 1024) / GIB)
    line = _by_gid(fig, "total_E2B")[0]
    assert list(line.get_xdata()) == list(kw.CONTEXTS)
    want = [given.kv_cache_bytes(config("E2B"), n) / GIB for n in kw.CONTEXTS]
    np.testing.assert_allclose(line.get_ydata(), want)
    assert fig.axes[2].get_xscale() == "log" and fig.axes[2].get_yscale() == "log"
    e.controls["seq_len"].value = 262144
    assert "> max context" in " ".join(t.get_text() for t in e.figure.axes[1].texts)


def test_model_dropdown_and_k_eq_v_toggle():
    e = _explorer()
    e.controls["model"].value = "E4B"
    assert _arcs(e.figure) == {i: (23 if i % 6 == 5 else 22) for i in range(24, 42)}
    e.controls["model"].value = "31B"
    assert len(_by_gid(e.figure, "owner_")) == 60 and not _arcs(e.figure)
    e.controls["global_kv_tensors"].value = 1
    assert _bar_total(e.figure, "31B") == pytest.approx(6_207_569_920 / GIB)
    assert "one tensor" in e.readout and "6,207,569,920 B" in e.readout


def test_the_widget_draws_what_the_student_functions_return():
    """A wrong map shows up in the diagram; bytes inconsistent with the map show up in the readout."""
    def first_of_type(types, n):
        f = len(types) - n
        return [i if i < f else types.index(t) for i, t in enumerate(types)]

    e = _explorer(kv_sharing_map=first_of_type)
    assert set(_arcs(e.figure).values()) == {0, 4}

    def all_layers_own(cfg, seq_len, *args, **kwargs):
        return given.kv_cache_bytes(cfg, seq_len, *args, **dict(kwargs, share_kv=False))

    e = _explorer(kv_cache_bytes=all_layers_own)
    assert "add up to kv_cache_bytes: NO" in e.readout


def test_layer_bytes_and_diagram_helpers():
    cfg = config("E2B")
    per_layer, src = kw.layer_bytes(given.kv_sharing_map, given.kv_cache_bytes, cfg, 131072)
    assert per_layer.dtype == np.int64 and per_layer.sum() == 811_597_824
    assert per_layer[14] == 2 ** 28 and per_layer[13] == 2 ** 19 and not per_layer[15:].any()
    assert src == given.kv_sharing_map(cfg["layer_types"], 20)
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots()
    types = [SLIDING, SLIDING, FULL, SLIDING, FULL, SLIDING, FULL]
    kw.draw_layer_diagram(ax, types, [0, 1, 2, 3, 2, 3, 2])
    boxes = [p for p in ax.patches if isinstance(p, Rectangle)]
    assert len(boxes) == 7 and _arcs(fig) == {4: 2, 5: 3, 6: 2}
    plt.close(fig)


def test_redraw_is_fast():
    e = _explorer()
    assert quickest_redraw(e, "seq_len", (2048, 65536, 131072)) < 1.0

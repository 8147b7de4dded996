"""Tests for the MoE roofline explorer of problem 407: drive the controls from Python, check what is drawn."""
import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from mlpapers.nemotron3 import roofline_widget as rw
from mlpapers.figures import reference

given = reference("nemotron3")  # the instructor's given module, loaded by path
PEAK, BW = rw.HARDWARE["peak_flops"], rw.HARDWARE["mem_bw"]


def _explorer():
    return rw.make_roofline_explorer(given.moe_roofline, given.expected_active_experts)


def _by_gid(fig, gid):
    return [a for ax in fig.axes for a in ax.findobj() if getattr(a, "get_gid", lambda: None)() == gid]


def _bounds(readout):
    """The bound of each design's readout line, standard first."""
    return [line.rsplit(" ", 1)[-1].removesuffix("-bound") for line in readout.splitlines() if "GFLOP" in line]


def _point(fig, gid):
    line = _by_gid(fig, gid)[0]
    return float(line.get_xdata()[0]), float(line.get_ydata()[0])


def test_controls_ranges_and_defaults():
    e = _explorer()
    assert set(e.controls) == {"batch_tokens", "top_k", "latent_dim", "w_bytes"}
    assert [v for _, v in e.controls["batch_tokens"].options] == [2 ** k for k in range(17)]
    assert e.controls["batch_tokens"].value == 1 and e.controls["top_k"].value == 22
    assert [v for _, v in e.controls["latent_dim"].options] == [0, 512, 1024, 2048]
    assert e.controls["latent_dim"].value == 1024
    assert [v for _, v in e.controls["w_bytes"].options] == [2.0, 1.0, 0.5625]
    assert e.controls["batch_tokens"].continuous_update is False and e.controls["top_k"].continuous_update is False
    assert rw.LAYER == {"d_model": 4096, "d_ff": 2688, "n_experts": 512}


def test_default_view_is_supers_latent_layer_at_one_token():
    e = _explorer()
    want_l = given.moe_roofline(1, 4096, 2688, 512, 22, 1024, **rw.HARDWARE)
    want_s = given.moe_roofline(1, 4096, 2688, 512, 22, None, **rw.HARDWARE)
    x, y = _point(e.figure, "point_latent_1")
    assert x == pytest.approx(want_l["intensity"], rel=1e-12)
    assert y == pytest.approx(want_l["flops"] / want_l["time_s"], rel=1e-12)
    assert _point(e.figure, "point_standard_1")[0] == pytest.approx(want_s["intensity"], rel=1e-12)
    assert "259,345,408 B" in e.readout and "969,481,216 B" in e.readout
    assert "3.74x fewer bytes" in e.readout and _bounds(e.readout) == ["memory", "memory"]
    assert "E[distinct experts] = 22.00, so 1.00 tokens per active expert" in e.readout
    assert "ridge 295.2 FLOP/B" in e.readout


def test_roof_and_ridge():
    e = _explorer()
    roof = _by_gid(e.figure, "roof")[0]
    xs, ys = np.asarray(roof.get_xdata()), np.asarray(roof.get_ydata())
    np.testing.assert_allclose(ys, np.minimum(PEAK, xs * BW), rtol=1e-12)
    assert _by_gid(e.figure, "ridge")[0].get_xdata()[0] == pytest.approx(PEAK / BW)
    assert roof.axes.get_xscale() == "log" and roof.axes.get_yscale() == "log"


@pytest.mark.parametrize("batch, top_k, latent, w_bytes", [
    (1, 22, 1024, 2.0), (64, 22, 512, 1.0), (16384, 22, 1024, 2.0), (256, 6, 2048, 0.5625), (65536, 64, 0, 2.0)])
def test_paths_markers_and_bars_are_the_students_roofline(batch, top_k, latent, w_bytes):
    e = _explorer()
    e.controls["latent_dim"].value = latent
    e.controls["w_bytes"].value = w_bytes
    e.controls["top_k"].value = top_k
    e.controls["batch_tokens"].value = batch
    designs = {"standard": None} if not latent else {"standard": None, "latent": latent}
    assert bool(_by_gid(e.figure, "path_latent")) == bool(latent)
    for design, lat in designs.items():
        results = [given.moe_roofline(b, 4096, 2688, 512, top_k, lat, **rw.HARDWARE, w_bytes=w_bytes)
                   for b in rw.BATCHES]
        path = _by_gid(e.figure, f"path_{design}")[0]
        np.testing.assert_allclose(path.get_xdata(), [r["intensity"] for r in results], rtol=1e-12)
        np.testing.assert_allclose(path.get_ydata(), [r["flops"] / r["time_s"] for r in results], rtol=1e-12)
        now = results[rw.BATCHES.index(batch)]
        assert _point(e.figure, f"point_{design}_{batch}")[0] == pytest.approx(now["intensity"], rel=1e-12)
        mem = _by_gid(e.figure, f"memory_time_{design}")[0].get_height()
        comp = _by_gid(e.figure, f"compute_time_{design}")[0].get_height()
        assert mem == pytest.approx(now["bytes"] / BW * 1e6, rel=1e-12)
        assert comp == pytest.approx(now["flops"] / PEAK * 1e6, rel=1e-12)
        assert f"{now['bound']}-bound" in e.readout
        assert f"{now['bytes']:,.0f} B" in e.readout
    active = given.expected_active_experts(batch, 512, top_k)
    assert f"E[distinct experts] = {active:.2f}" in e.readout
    assert ("fewer bytes" in e.readout) == bool(latent)


def test_the_lesson_shows_in_the_readout():
    """Decode is memory-bound for both designs with the same intensity; a big batch crosses the ridge."""
    e = _explorer()
    e.controls["batch_tokens"].value = 64
    assert _bounds(e.readout) == ["memory", "memory"]
    xs = [_point(e.figure, f"point_{d}_64")[0] for d in ("standard", "latent")]
    assert all(2.5 < x < 3.5 for x in xs)
    e.controls["batch_tokens"].value = 16384
    assert _bounds(e.readout) == ["compute", "compute"]
    assert "I = 374.15 FLOP/B" in e.readout


def test_show_unattended_draws_a_static_figure_and_a_readout(monkeypatch):
    shown = []
    monkeypatch.setattr("mlpapers.widgetkit.display", lambda obj, **kw: shown.append(obj))
    e = _explorer()
    e.show(interactive=False)
    assert len(shown) == 2 and "mlpapers-readout" in shown[1].data

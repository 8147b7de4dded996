"""Tests for the LatentMoE trade explorer of problem 408: drive the controls from Python, check what is drawn."""

import matplotlib

matplotlib.use("Agg")

import math

import pytest

from mlpapers.figures import reference
from mlpapers.nemotron3 import latent_trade_widget as lw

given = reference("nemotron3")  # the instructor's given module, loaded by path


def _explorer():
    return lw.make_latent_trade_explorer(given.moe_layer_params, given.all_to_all_bytes_per_token,
                                         given.moe_flops_per_token)


def _bar(fig, gid):
    found = [a for ax in fig.axes for a in ax.findobj() if getattr(a, "get_gid", lambda: None)() == gid]
    assert len(found) == 1, gid
    return found[0]


def test_controls_and_their_ranges():
    e = _explorer()
    assert set(e.controls) == {"latent", "reinvest", "bytes_per_elem"}
    assert [v for _, v in e.controls["latent"].options] == [lat or 0 for lat in lw.LATENTS]
    assert e.controls["latent"].value == 1024 and e.controls["reinvest"].value is True
    assert e.controls["bytes_per_elem"].value == 2.0
    assert e.controls["latent"].continuous_update is False


def test_layer_shape_scales_experts_and_top_k_by_d_over_l():
    assert lw.layer_shape(None) == (128, 6)
    assert lw.layer_shape(1024) == (512, 24)
    assert lw.layer_shape(256) == (2048, 96)
    assert lw.layer_shape(1024, reinvest=False) == (128, 6)


def test_log10_combinations():
    assert lw.log10_combinations(128, 6) == pytest.approx(math.log10(math.comb(128, 6)), rel=1e-12)
    assert lw.log10_combinations(512, 22) == pytest.approx(38.354, abs=1e-3)
    assert lw.log10_combinations(7, 7) == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("reinvest", [True, False])
@pytest.mark.parametrize("beta", [2.0, 1.0])
def test_bars_are_the_students_numbers_for_every_latent_size(reinvest, beta):
    e = _explorer()
    e.controls["reinvest"].value = reinvest
    e.controls["bytes_per_elem"].value = beta
    for lat in lw.LATENTS:
        name = "none" if lat is None else str(lat)
        N, K = lw.layer_shape(lat, reinvest)
        p = given.moe_layer_params(lw.D_MODEL, lw.D_FF, N, K, lat, lw.D_SHARED)
        assert _bar(e.figure, f"total_{name}").get_height() == pytest.approx(p["total"] / 1e9, rel=1e-12)
        assert _bar(e.figure, f"active_{name}").get_height() == pytest.approx(p["active"] / 1e6, rel=1e-12)
        want = given.all_to_all_bytes_per_token(lw.D_MODEL, K, lat, beta) / 1e3
        assert _bar(e.figure, f"bytes_{name}").get_height() == pytest.approx(want, rel=1e-12)
        assert _bar(e.figure, f"combos_{name}").get_height() == pytest.approx(lw.log10_combinations(N, K), rel=1e-12)


def test_reinvesting_keeps_weights_and_bytes_level_while_combinations_grow():
    """The explorer's message: scaled N and K keep the costs; without scaling the latent size cuts them."""
    e = _explorer()
    fig = e.figure
    std_total = _bar(fig, "total_none").get_height()
    for lat in (2048, 1024, 512, 256):
        assert _bar(fig, f"total_{lat}").get_height() == pytest.approx(std_total, rel=0.02)
        assert _bar(fig, f"bytes_{lat}").get_height() == pytest.approx(_bar(fig, "bytes_none").get_height())
    combos = [_bar(fig, f"combos_{'none' if lat is None else lat}").get_height() for lat in lw.LATENTS]
    assert combos == sorted(combos) and combos[0] < combos[-1]
    e.controls["reinvest"].value = False
    fig = e.figure
    assert _bar(fig, "bytes_none").get_height() / _bar(fig, "bytes_1024").get_height() == pytest.approx(4.0)
    assert _bar(fig, "total_1024").get_height() < 0.3 * _bar(fig, "total_none").get_height()


def test_highlight_and_readout_follow_the_latent_slider():
    e = _explorer()
    for lat in (0, 2048, 512):
        e.controls["latent"].value = lat
        name = "none" if lat == 0 else str(lat)
        picked = {a.get_gid() for ax in e.figure.axes for a in ax.patches
                  if a.get_facecolor()[:3] != matplotlib.colors.to_rgb(lw._BASE)}
        assert picked == {f"{k}_{name}" for k, _ in lw.PANELS}
        assert e.readout.startswith(f"l = {name} ")
    e.controls["latent"].value = 1024
    assert "N = 512, K = 24" in e.readout
    assert "Super's own layer (l = 1024, N = 512, K = 22): total 2,873,098,240, active 175,636,480, " \
           "all-to-all 90,112 bytes per token" in e.readout
    assert "log10 C(512, 24) = 40.99 (standard C(128, 6): 9.73)" in e.readout


def test_show_unattended_draws_a_static_figure_and_a_readout(monkeypatch):
    shown = []
    monkeypatch.setattr("mlpapers.widgetkit.display", lambda obj, **kw: shown.append(obj))
    e = _explorer()
    e.show(interactive=False)
    assert len(shown) == 2 and "mlpapers-readout" in shown[1].data

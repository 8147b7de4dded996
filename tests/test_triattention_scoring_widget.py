"""Tests for the problem-288 explorer (TriAttention score terms): set controls, check the drawing."""

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from mlpapers.triattention import scoring_widget as sw
from mlpapers.figures import reference

given = reference("triattention")  # the instructor's given module, loaded by path

FNS = (given.trig_score, given.norm_score, given.qk_centre, given.qk_abs_mean)


@pytest.fixture(scope="module")
def explorer():
    return sw.scoring_explorer(*FNS)


def _labelled(fig, label):
    return [a for ax in fig.axes for a in ax.get_children() if getattr(a, "get_label", lambda: "")() == label]


def test_score_terms_match_the_scoring_functions():
    terms = sw.score_terms(*FNS, q_noise=0.8, seed=0)
    assert terms["trig"].shape == terms["norm"].shape == terms["positions"].shape == (2560,)
    assert 0.7 < terms["median_R"] < 0.8  # default scenario: median R about 0.75
    assert np.all(terms["norm"] > 0)


def test_norm_term_takes_over_as_concentration_falls():
    spread = []
    for noise in (0.2, 0.8, 2.0):
        t = sw.score_terms(*FNS, q_noise=noise, seed=1)
        spread.append(np.std(t["norm"]) / np.std(t["trig"]))
    assert spread[0] < 0.2 < spread[1] < spread[2]


def test_initial_figure_circles_the_top_keys(explorer):
    fig = explorer.figure
    top = _labelled(fig, "top keys")
    assert len(top) == 1 and top[0].get_offsets().shape == (256, 2)
    kept = _labelled(fig, "kept")
    assert len(kept) == 1 and len(kept[0].get_xdata()) == 256
    assert "median R_f" in explorer.readout and "of 256" in explorer.readout


def test_controls_redraw(explorer):
    before = explorer.redraws
    explorer.controls["budget"].value = 64
    assert explorer.redraws == before + 1
    assert _labelled(explorer.figure, "top keys")[0].get_offsets().shape == (64, 2)
    assert "of 64" in explorer.readout
    explorer.controls["q_noise"].value = 2.0
    assert "q_noise = 2.00" in explorer.figure.axes[0].get_title()
    share = int(explorer.readout.split("norm share ")[1].split("%")[0])
    assert share > 70

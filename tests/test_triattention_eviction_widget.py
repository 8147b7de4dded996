"""Tests for the problem-289 eviction lab: drive the controls, check bars, raster and readout.

The lab takes the student's functions; here they come from the solution notebook's solution and
provided cells (loaded without running the notebook) plus the chapter's provided answers.
"""
import importlib.util
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import nbformat
import numpy as np
import pytest

from mlpapers.triattention import eviction_widget as ew

SOLUTIONS = Path(__file__).resolve().parents[1] / "solutions" / "triattention"


def _solution_namespace() -> dict:
    spec = importlib.util.spec_from_file_location("triattention_given_for_eviction_tests",
                                                  SOLUTIONS / "triattention_given.py")
    given = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(given)
    from mlpapers import arguments
    ns = {"np": np, **{k: getattr(given, k) for k in dir(given) if not k.startswith("__")},
          **{k: getattr(arguments, k) for k in arguments.__all__}}
    nb = nbformat.read(SOLUTIONS / "289_kv_eviction_capstone.ipynb", as_version=4)
    for cell in nb.cells:   # the provided cells and the solution cells, in notebook order
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "code" and (meta.get("solution") or meta.get("grade_id", "").startswith("provided_")):
            exec(cell.source, ns)
    return ns


@pytest.fixture(scope="module")
def fns():
    return _solution_namespace()


@pytest.fixture(scope="module")
def lab(fns):
    return ew.eviction_lab(fns)


def test_selections_have_budget_keys(fns):
    sc = ew.eviction_scenario(seed=0)
    kept = ew.selections(fns, sc, 128)
    assert set(kept) == set(ew.POLICIES)
    for idx in kept.values():
        assert len(idx) == 128 and len(np.unique(idx)) == 128
    assert np.array_equal(kept["recent"], np.arange(2560 - 128, 2560))
    assert set(range(2552, 2560)) <= set(kept["window"].tolist())  # window keys always kept


def test_selections_are_the_students_own():
    # The lab selects nothing itself: selectors that keep the first `budget` keys are what it returns.
    first = lambda *args: np.arange(args[-1])
    fns = {"select_recent": first, "select_window_attention": first, "select_triattention": first,
           "qk_centre": lambda x: None, "qk_abs_mean": lambda x: None}
    kept = ew.selections(fns, ew.eviction_scenario(seed=0), 64)
    for idx in kept.values():
        assert np.array_equal(idx, np.arange(64))


def test_future_attention_is_the_mean_of_the_students_weights():
    sc = ew.eviction_scenario(seed=0)
    calls = []

    def uniform(queries, query_positions, keys, key_positions):
        calls.append((len(queries), len(keys)))
        return np.full((len(queries), len(keys)), 1.0 / len(keys))

    got = ew.future_attention(uniform, sc)
    assert calls == [(512, 2560)]  # the future queries against the whole cache
    np.testing.assert_allclose(got, np.full(2560, 1 / 2560))


def test_bars_show_the_evaluation(lab, fns):
    ax = lab.figure.axes[0]
    labels = [c.get_label() for c in ax.containers]
    assert labels == ["mass", "output error"]
    res = fns["evaluate_policies"](ew.eviction_scenario(seed=0), 256)
    heights = [b.get_height() for b in ax.containers[0]]
    assert np.allclose(heights, [res[p]["mass"] for p in ew.POLICIES])
    oracle = [l for l in ax.get_lines() if l.get_label() == "oracle mass"]
    assert len(oracle) == 1 and np.isclose(oracle[0].get_ydata()[0], res["oracle"]["mass"])
    assert heights[2] > heights[1] > heights[0]  # TriAttention > window > recency on seed 0
    assert "10.0x" in lab.readout


def test_raster_has_one_row_per_policy_and_the_future_attention(lab, fns):
    raster = lab.figure.axes[1]
    rows = raster.collections
    assert [r.get_label() for r in rows] == list(ew.POLICIES) + ["future attention"]
    assert all(len(r.get_segments()) == 256 for r in rows[:3])
    spikes = rows[3].get_segments()
    assert len(spikes) == 2560
    # spike heights: sqrt of the mean future attention, tallest 0.8 (one row), on the inverted y axis
    heights = np.array([seg[0][1] - seg[1][1] for seg in spikes])
    future = ew.future_attention(fns["attention_weights"], ew.eviction_scenario(seed=0))
    np.testing.assert_allclose(heights, 0.8 * np.sqrt(future / future.max()), atol=1e-12)


def test_budget_control_redraws(lab):
    before = lab.redraws
    lab.controls["budget"].value = 512
    assert lab.redraws == before + 1
    assert "5.0x" in lab.readout
    assert all(len(r.get_segments()) == 512 for r in lab.figure.axes[1].collections[:3])
    lab.controls["budget"].value = 256


def test_flat_regime_lowers_every_policy(fns):
    _, sharp = ew.draw_eviction(fns, seed=1)
    _, flat = ew.draw_eviction(fns, seed=1, norm_sigma=0.0)
    mass = lambda text, p: float(next(l for l in text.splitlines() if l.startswith(p)).split()[1])
    for p in ("window", "triattention", "oracle"):
        assert mass(flat, p) < mass(sharp, p)


def test_streaming_mode(fns):
    fig, readout = ew.draw_eviction(fns, mode="streaming", seed=0)
    assert "oracle" not in readout
    tri = float(next(l for l in readout.splitlines() if l.startswith("triattention")).split()[1])
    assert abs(tri - 0.9694) < 5e-4

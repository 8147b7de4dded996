"""Tests for the speculative-decoding explorer of problem 412: drive the controls from Python, check what is drawn."""

import math

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
import torch

from mlpapers.figures import reference
from mlpapers.nemotron3 import speculative_widget as sw
from mlpapers.nemotron3.drafters import CallableDrafter, OracleDrafter

given = reference("nemotron3")  # the instructor's given module, loaded by path


def _explorer(speculative_generate=None):
    return sw.make_speculative_explorer(given.rejection_verify, speculative_generate or given.speculative_generate,
                                        expected_tokens_per_step=given.expected_tokens_per_step,
                                        simulate_tokens_per_step=given.simulate_tokens_per_step,
                                        greedy_generate=given.greedy_generate, target=given.toy_target())


def _by_gid(fig, gid):
    return [a for ax in fig.axes for a in ax.findobj() if getattr(a, "get_gid", lambda: None)() == gid]


def _cells(fig, kind):
    return [a for ax in fig.axes for a in ax.findobj()
            if (getattr(a, "get_gid", lambda: None)() or "").startswith("cell_")
            and a.get_gid().endswith(kind)]


def test_controls_and_their_ranges():
    e = _explorer()
    assert set(e.controls) == {"alpha", "k"}
    assert (e.controls["alpha"].min, e.controls["alpha"].max, e.controls["alpha"].value) == (0.0, 1.0, 0.8)
    assert (e.controls["k"].min, e.controls["k"].max, e.controls["k"].value) == (0, sw.K_MAX, 3)
    assert all(c.continuous_update is False for c in e.controls.values())


def test_default_view_shows_the_headline():
    e = _explorer()
    assert "Eq. 1 expects 2.952 tokens per target call" in e.readout
    assert "same tokens as greedy decoding: yes" in e.readout


@pytest.mark.parametrize("alpha, k", [(0.8, 3), (0.5, 1), (0.95, 6), (0.3, 0)])
def test_curve_is_eq1_and_points_are_the_simulation(alpha, k):
    e = _explorer()
    e.controls["alpha"].value = alpha
    e.controls["k"].value = k
    ks = np.arange(0, sw.K_MAX + 1)
    line = _by_gid(e.figure, "closed_form")[0]
    np.testing.assert_array_equal(line.get_xdata(), ks)
    np.testing.assert_allclose(line.get_ydata(), [(1 - alpha ** (j + 1)) / (1 - alpha) for j in ks], rtol=1e-12)
    sim = _by_gid(e.figure, "simulated")[0]
    want = [given.simulate_tokens_per_step(alpha, int(j), 4000, torch.Generator().manual_seed(int(j))) for j in ks]
    np.testing.assert_allclose(sim.get_ydata(), want, rtol=1e-12)
    np.testing.assert_allclose(sim.get_ydata(), line.get_ydata(), atol=0.15)   # simulation agrees with Eq. 1


@pytest.mark.parametrize("alpha, k", [(0.8, 3), (0.6, 2), (0.9, 5)])
def test_verify_marker_is_the_mean_of_the_students_rejection_verify(alpha, k):
    e = _explorer()
    e.controls["alpha"].value = alpha
    e.controls["k"].value = k
    marker = _by_gid(e.figure, "verify_mean")[0]
    q = torch.zeros(k, 4, dtype=torch.float64)
    q[:, 0] = 1.0
    p = torch.full((k + 1, 4), (1 - alpha) / 3, dtype=torch.float64)
    p[:, 0] = alpha
    g = torch.Generator().manual_seed(412)
    want = np.mean([len(given.rejection_verify(torch.zeros(k, dtype=torch.int64), q, p, g)[0])
                    for _ in range(sw.N_VERIFY)])
    assert marker.get_xdata()[0] == k and marker.get_ydata()[0] == pytest.approx(want)
    assert f"your rejection_verify, {sw.N_VERIFY} steps: {want:.3f}" in e.readout


@pytest.mark.parametrize("k", [1, 3, 5])
def test_timeline_rows_match_the_run(k):
    e = _explorer()
    e.controls["k"].value = k
    target = given.toy_target()
    drafter = OracleDrafter(target, given.greedy_generate, sw.PROMPT, sw.N_TOKENS, 0.8,
                               torch.Generator().manual_seed(7))
    _, stats = given.speculative_generate(target, drafter, torch.tensor(sw.PROMPT), sw.N_TOKENS, k)
    green, blue = _cells(e.figure, "accepted"), _cells(e.figure, "target")
    red = _cells(e.figure, "rejected")
    # green: accepted drafts the 20 tokens show (a last step cut short by max_new_tokens shows fewer)
    assert stats["accepted_drafts"] - k <= len(green) <= stats["accepted_drafts"]
    assert 1 + len(green) + len(blue) == sw.N_TOKENS
    # every verify step adds one target token, except a last step cut short by max_new_tokens
    assert stats["verify_steps"] - 1 <= len(blue) <= stats["verify_steps"]
    assert len(red) <= len(blue)
    assert f"{stats['target_calls']} target calls" in e.readout
    star = _by_gid(e.figure, "toy_mean")[0]
    assert star.get_ydata()[0] == pytest.approx(1 + stats["mean_accepted"])


@pytest.mark.parametrize("k", [2, 4])
def test_perfect_and_useless_drafters(k):
    e = _explorer()
    e.controls["k"].value = k
    e.controls["alpha"].value = 1.0
    assert not _cells(e.figure, "rejected")
    assert f"{1 + math.ceil((sw.N_TOKENS - 1) / (k + 1))} target calls" in e.readout
    e.controls["alpha"].value = 0.0
    assert not _cells(e.figure, "accepted")
    assert f"{sw.N_TOKENS} target calls" in e.readout


def test_a_wrong_generator_is_shown_as_not_greedy():
    """The explorer runs the student's loop: a loop that drops the bonus token is flagged."""
    def broken(target, drafter, prompt, n, k):
        tokens, stats = given.speculative_generate(target, drafter, prompt, n, k)
        return torch.roll(tokens, 1), stats

    e = _explorer(broken)
    assert "same tokens as greedy decoding: NO" in e.readout


def test_oracle_drafter_needs_the_right_hidden_state():
    target = given.toy_target()
    prompt = torch.tensor(sw.PROMPT)
    oracle = OracleDrafter(target, given.greedy_generate, prompt, 12, 1.0, torch.Generator().manual_seed(0))
    greedy = given.greedy_generate(target, prompt, 12)
    _, hidden = target(torch.cat([prompt, greedy]))
    # hidden at the last prompt position produced greedy[0]; the drafts are the greedy tokens after it
    assert oracle.draft(hidden[3], greedy[0], 3).tolist() == greedy[1:4].tolist()
    assert oracle.draft(hidden[5], greedy[2], 2).tolist() == greedy[3:5].tolist()
    wrapped = CallableDrafter(oracle.draft)
    assert wrapped.draft(hidden[3], greedy[0], 2).tolist() == greedy[1:3].tolist()


def test_show_unattended_draws_a_static_figure_and_a_readout(monkeypatch):
    shown = []
    monkeypatch.setattr("mlpapers.widgetkit.display", lambda obj, **kw: shown.append(obj))
    e = _explorer()
    e.show(interactive=False)
    assert len(shown) == 2 and "mlpapers-readout" in shown[1].data

"""Tests of the widgets of problems 413 (corruption) and 414 (entropy-bounded acceptance).

The widgets take the student's functions; here they are driven by the chapter's released answers
in ``solutions/diffusiongemma/diffusiongemma_given.py`` plus a two-line ``expected_changed_fraction``.
"""
from __future__ import annotations

import importlib.util
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.colors  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from mlpapers.diffusiongemma.acceptance_explorer import ACCEPT, acceptance_explorer, toy_first_step  # noqa: E402
from mlpapers.diffusiongemma.corruption_explorer import (  # noqa: E402
    CHANGED, MASK_GLYPH, SELF, SENTENCE, corruption_explorer, draw_corruption)

GIVEN = Path(__file__).resolve().parents[1] / "solutions" / "diffusiongemma" / "diffusiongemma_given.py"


@pytest.fixture(scope="module")
def given():
    spec = importlib.util.spec_from_file_location("diffusiongemma_given", GIVEN)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def expected_changed_fraction(t, vocab_size, process="uniform"):
    return t * (1 - 1 / vocab_size) if process == "uniform" else t


def noisy_faces(fig):
    return [matplotlib.colors.to_hex(p.get_facecolor()) for p in fig.axes[0].patches if p.get_gid() == "noisy-cell"]


def test_corruption_cells_and_colours(given):
    fig, readout = draw_corruption(given.corrupt, expected_changed_fraction, 0.0, "uniform")
    assert len([p for p in fig.axes[0].patches if p.get_gid() in ("clean-cell", "noisy-cell")]) == 2 * len(SENTENCE)
    assert set(noisy_faces(fig)) == {"#ffffff"}                     # t = 0: nothing corrupted
    fig, readout = draw_corruption(given.corrupt, expected_changed_fraction, 1.0, "mask")
    assert set(noisy_faces(fig)) == {CHANGED}                       # t = 1, mask: everything changed
    assert sum(t.get_text() == MASK_GLYPH for t in fig.axes[0].texts) == len(SENTENCE)
    assert "expected changed fraction 1.0000" in readout


def test_corruption_grows_with_t_and_shows_self_corruption(given):
    counts = []
    seen_self = False
    for t in np.linspace(0, 1, 11):
        fig, _ = draw_corruption(given.corrupt, expected_changed_fraction, float(t), "uniform", seed=0)
        faces = noisy_faces(fig)
        counts.append(sum(f != "#ffffff" for f in faces))
        seen_self |= SELF in faces
    assert counts == sorted(counts) and counts[-1] == len(SENTENCE)  # common random numbers: monotone
    assert seen_self                                                 # uniform noise hits the clean token


def test_corruption_explorer_controls(given):
    explorer = corruption_explorer(given.corrupt, expected_changed_fraction)
    explorer.controls["process"].value = "mask"
    explorer.controls["t"].value = 0.5
    assert "(mask)" in explorer.readout and "0.5000" in explorer.readout
    dot = [line for line in explorer.figure.axes[1].lines if line.get_gid() == "empirical"]
    assert len(dot) == 1 and dot[0].get_xdata()[0] == 0.5


def test_acceptance_bars_match_the_rule(given):
    canvas, logits, itos = toy_first_step()
    assert canvas.shape == (1, 16) and logits.shape == (1, 16, len(itos))
    explorer = acceptance_explorer(given.token_entropy, given.denoise_step)
    counts = []
    for gamma in (0.0, 0.1, 0.5, 2.0):
        explorer.controls["gamma"].value = gamma
        bars = [p for p in explorer.figure.axes[0].patches if p.get_gid() == "entropy-bar"]
        green = sum(matplotlib.colors.to_hex(b.get_facecolor()) == ACCEPT for b in bars)
        want = int(given.entropy_bounded_accept(given.token_entropy(logits), gamma).sum())
        assert len(bars) == 16 and green == want
        assert f"accepted {want}/16" in explorer.readout
        counts.append(green)
    assert counts == sorted(counts) and counts[0] >= 1

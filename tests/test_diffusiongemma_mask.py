"""Tests for the block-diffusion mask explorer of problem 417 (mlpapers.diffusiongemma.mask_explorer)."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402

from mlpapers.diffusiongemma.mask_explorer import draw_block_mask, mask_explorer, mask_regions  # noqa: E402


def good_mask(P, R, S):
    """A stand-in built cell by cell from the problem's definition."""
    C, N = P + R, P + 2 * R
    m = np.zeros((N, N), dtype=bool)
    for i in range(N):
        for j in range(N):
            if i < C:
                m[i, j] = j < C and j <= i
            else:
                b = (i - C) // S
                m[i, j] = (j < P + b * S) if j < C else ((j - C) // S == b)
    return m


def leaky_mask(P, R, S):
    m = good_mask(P, R, S)
    m[P + R:, :P + R] = True                         # every canvas reads the whole clean response
    return m


def test_regions_of_a_correct_mask():
    labels, own, noisy = mask_regions(good_mask(1, 4, 2), 1, 4, 2)
    assert (own, noisy) == (0, 0)
    assert labels[0, 0] == 1 and labels[5, 0] == 2 and labels[5, 6] == 3 and labels[0, 5] == 0
    assert np.count_nonzero(labels) == good_mask(1, 4, 2).sum()


def test_leaks_are_counted_and_reported():
    labels, own, noisy = mask_regions(leaky_mask(1, 4, 2), 1, 4, 2)
    assert own == 2 * 4 + 2 * 2 and noisy == 0           # block 0 sees c0..c3, block 1 sees c2..c3
    fig, text = draw_block_mask(leaky_mask, prompt_len=1, response_len=4, block_size=2)
    assert "LEAK" in text
    fig, text = draw_block_mask(good_mask, prompt_len=1, response_len=4, block_size=2)
    assert "no leak" in text and "31 of 81" in text     # 15 causal + 8 earlier-block + 8 canvas
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()][:3] == ["p0", "c0", "c1"]
    hatched = [p for p in fig.axes[0].patches if p.get_hatch()]
    assert len(hatched) == 2


def test_controls_redraw_and_block_size_follows_response_length():
    ex = mask_explorer(good_mask)
    ex.controls["response_len"].value = 4
    assert ex.controls["block_size"].max == 4 and ex.controls["block_size"].value <= 4
    ex.controls["prompt_len"].value = 0
    assert ex.figure.axes[0].get_images()[0].get_array().shape == (8, 8)
    ex.controls["show_forbidden"].value = False
    assert not [p for p in ex.figure.axes[0].patches if p.get_hatch()]


def test_a_raising_function_is_reported():
    def broken(P, R, S):
        raise ValueError("block_size must be >= 1")
    fig, text = draw_block_mask(broken)
    assert "raised ValueError" in text

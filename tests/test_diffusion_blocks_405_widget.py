"""Tests for the sampler explorer of problem 405: drive the controls from Python, check what is drawn."""

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
import torch

from mlpapers.diffusion_blocks import sampler_widget as sw
from mlpapers.figures import reference

given = reference("diffusion_blocks")  # the instructor's given module, loaded by path

B3 = given.block_boundaries(3)
SIGMAS = given.inference_sigmas(7)
ACTS = {"end-to-end": 600, "block 0": 220, "block 1": 220, "block 2": 220}


def _zero(x_in, c_noise):
    return torch.zeros_like(x_in)


def _shrink(x_in, c_noise):
    return 0.5 * x_in


def _x_init():
    return 80.0 * torch.randn(50, 2, generator=torch.Generator().manual_seed(0), dtype=torch.float64)


def _explorer():
    return sw.make_sampler_explorer(given.diffusionblocks_sample, ([_zero, _shrink, _zero], B3),
                                    ([_shrink], np.array([0.002, 80.0])), _x_init(), SIGMAS, ACTS)


def _by_gid(fig, gid):
    return [a for ax in fig.axes for a in ax.findobj() if getattr(a, "get_gid", lambda: None)() == gid]


def _zero_block_states(x, sigmas, sd=0.5):
    """Hand-worked states for F = 0 everywhere: D = c_skip x, so each Euler step scales x."""
    states = [x]
    for s, s_next in zip(sigmas[:-1], sigmas[1:]):
        c_skip = sd ** 2 / (s ** 2 + sd ** 2)
        states.append(states[-1] * (1 + (s_next - s) * (1 - c_skip) / s))
    c_skip = sd ** 2 / (sigmas[-1] ** 2 + sd ** 2)
    return states + [c_skip * states[-1]]


def test_controls_and_their_ranges():
    e = _explorer()
    assert set(e.controls) == {"model", "step"}
    assert list(e.controls["model"].options) == ["blockwise", "end-to-end"]
    step = e.controls["step"]
    assert (step.min, step.max, step.value) == (0, SIGMAS.size, SIGMAS.size // 2)
    assert step.continuous_update is False


def test_recorded_states_are_what_the_sampler_handed_the_blocks():
    x = _x_init()
    rec = sw.record_sampler(given.diffusionblocks_sample, [_zero] * 3, B3, x, SIGMAS)
    want = _zero_block_states(x.numpy(), SIGMAS)
    assert rec["states"].shape == (SIGMAS.size + 1, 50, 2)
    np.testing.assert_allclose(rec["states"], np.stack(want), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(rec["sigmas"], SIGMAS, rtol=1e-12)
    np.testing.assert_array_equal(rec["blocks"], given.assign_block(SIGMAS, B3))
    np.testing.assert_allclose(rec["output"], want[-1], rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("step", [0, 2, 4, 6])
def test_cloud_is_the_state_at_the_step_coloured_by_the_acting_block(step):
    e = _explorer()
    e.controls["model"].value = "blockwise"
    e.controls["step"].value = step
    rec = e.records["blockwise"]
    cloud = _by_gid(e.figure, "cloud")[0]
    np.testing.assert_allclose(cloud.get_offsets(), rec["states"][step], rtol=1e-12)
    k = int(given.assign_block(SIGMAS[step], B3))
    assert rec["blocks"][step] == k
    np.testing.assert_allclose(cloud.get_facecolor()[0][:3], matplotlib.colors.to_rgb(sw.BLOCK_COLOURS[k]))
    assert f"step {step} of {SIGMAS.size - 1}" in e.readout and f"block {k} acts" in e.readout
    # the acting block's bar is drawn in full, the others faded
    bars = _by_gid(e.figure, "activation_bars")
    heights = [p.get_height() for p in bars]
    assert heights == list(ACTS.values())
    alphas = [p.get_alpha() for p in bars]
    assert alphas[1 + k] == 1.0 and sorted(alphas) == [0.45, 0.45, 0.45, 1.0]


def test_last_step_shows_the_samplers_output():
    e = _explorer()
    e.controls["step"].value = SIGMAS.size
    rec = e.records["blockwise"]
    out = given.diffusionblocks_sample([_zero, _shrink, _zero], B3, _x_init(), SIGMAS).numpy()
    np.testing.assert_allclose(_by_gid(e.figure, "cloud")[0].get_offsets(), out, rtol=1e-12)
    np.testing.assert_allclose(rec["output"], out, rtol=1e-12)
    assert f"output after {SIGMAS.size} block calls" in e.readout


def test_end_to_end_model_is_one_network_for_every_step():
    e = _explorer()
    e.controls["model"].value = "end-to-end"
    e.controls["step"].value = 3
    rec = e.records["end-to-end"]
    assert rec["blocks"].tolist() == [0] * SIGMAS.size
    assert "the whole network acts" in e.readout
    cloud = _by_gid(e.figure, "cloud")[0]
    np.testing.assert_allclose(cloud.get_facecolor()[0][:3], matplotlib.colors.to_rgb(sw.E2E_COLOUR))
    alphas = [p.get_alpha() for p in _by_gid(e.figure, "activation_bars")]
    assert alphas[0] == 1.0 and alphas[1:] == [0.45] * 3
    assert "block 0 / end-to-end = 0.367" in e.readout


def test_show_unattended_draws_a_static_figure_and_a_readout(monkeypatch):
    shown = []
    monkeypatch.setattr("mlpapers.widgetkit.display", lambda obj, **kw: shown.append(obj))
    e = _explorer()
    e.show(interactive=False)
    assert len(shown) == 2 and "mlpapers-readout" in shown[1].data

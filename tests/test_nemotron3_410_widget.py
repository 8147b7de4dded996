"""Tests for the LatentMoE explorer of problem 410 and its gradient probe: drive the controls, check what is drawn."""

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
import torch

from mlpapers.figures import reference
from mlpapers.nemotron3 import latent_moe_widget as lw
from mlpapers.nemotron3.gradient_probe import GradientProbe

given = reference("nemotron3")  # the instructor's module, loaded by path


@pytest.fixture(scope="module", autouse=True)
def one_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def explorer():
    return lw.make_latent_moe_explorer(given.latent_moe_forward)


def _by_gid(fig, gid):
    return [a for ax in fig.axes for a in ax.findobj() if getattr(a, "get_gid", lambda: None)() == gid]


def _bar_heights(fig):
    bars = sorted(_by_gid(fig, "loads"), key=lambda r: r.get_x())
    assert len(bars) == lw.N_EXPERTS
    return np.array([r.get_height() for r in bars])


def test_controls_and_their_ranges(explorer):
    assert set(explorer.controls) == {"latent_dim", "top_k"}
    assert list(explorer.controls["latent_dim"].options) == list(lw.LATENTS)
    assert explorer.controls["latent_dim"].value == 8 and explorer.controls["top_k"].value == 4
    assert (explorer.controls["top_k"].min, explorer.controls["top_k"].max) == (1, 8)
    assert all(c.continuous_update is False for c in explorer.controls.values())


@pytest.mark.parametrize("k", [1, 4, 7])
def test_bars_are_the_routers_loads(explorer, k):
    """The probe reads the same loads as 409's route_tokens on the batch and router."""
    explorer.controls["top_k"].value = k
    x = lw.batch()
    p = lw.matched_params(None)
    idx, _ = given.route_tokens(x.numpy(), p["router_weight"].numpy(), np.zeros(lw.N_EXPERTS), k)
    want = given.expert_counts(idx, lw.N_EXPERTS)
    heights = _bar_heights(explorer.figure)
    np.testing.assert_array_equal(heights, want)
    assert heights.sum() == lw.TOKENS * k
    assert _by_gid(explorer.figure, "mean_load")[0].get_ydata()[0] == pytest.approx(lw.TOKENS * k / lw.N_EXPERTS)
    assert f"min {want.min()}, max {want.max()}" in explorer.readout


def test_loads_do_not_depend_on_the_latent_width(explorer):
    explorer.controls["top_k"].value = 4
    seen = []
    for latent in (1, 8, 32):
        explorer.controls["latent_dim"].value = latent
        seen.append(_bar_heights(explorer.figure))
    assert all(np.array_equal(seen[0], s) for s in seen[1:])


def test_error_curve_is_measured_with_the_students_layer(explorer):
    explorer.controls["top_k"].value = 3
    explorer.controls["latent_dim"].value = 16
    x = lw.batch()
    full = given.latent_moe_forward(x, lw.matched_params(None), 3)
    want = [float(torch.linalg.norm(given.latent_moe_forward(x, lw.matched_params(l), 3) - full) / torch.linalg.norm(full))
            for l in lw.LATENTS]
    line = _by_gid(explorer.figure, "errors")[0]
    np.testing.assert_array_equal(line.get_xdata(), lw.LATENTS)
    np.testing.assert_allclose(line.get_ydata(), want, rtol=1e-12)
    marker = _by_gid(explorer.figure, "current_latent")[0]
    assert marker.get_xdata()[0] == 16 and marker.get_ydata()[0] == pytest.approx(want[lw.LATENTS.index(16)])
    assert f"{want[lw.LATENTS.index(16)]:.3f}" in explorer.readout
    assert "d/l = 2x fewer" in explorer.readout


def test_the_latent_layer_is_exact_at_full_width_and_worse_when_narrow():
    """The widget's message: l = d reproduces the full-width MoE, a narrower l loses part of the routed path."""
    errors = lw.latent_errors(given.latent_moe_forward, 4)
    assert errors[-1] < 1e-12                        # l = d = 32: Q is a rotation, W_up W_down = I
    assert np.all(errors[:-1] > 0.1)
    assert errors[0] > errors[-2]                    # l = 1 is worse than l = 24


def test_matched_params_shapes_and_orthonormal_projection():
    p = lw.matched_params(8)
    assert p["experts_up"].shape == (lw.N_EXPERTS, lw.D_FF, 8) and p["experts_down"].shape == (lw.N_EXPERTS, 8, lw.D_FF)
    torch.testing.assert_close(p["fc1_latent"] @ p["fc2_latent"], torch.eye(8, dtype=torch.float64))
    full = lw.matched_params(None)
    assert "fc1_latent" not in full
    torch.testing.assert_close(full["router_weight"], p["router_weight"])
    torch.testing.assert_close(full["shared_up"], p["shared_up"])


def test_expert_loads_needs_d_at_least_n():
    with pytest.raises(ValueError, match="d >= N"):
        lw.expert_loads(given.latent_moe_forward, torch.zeros(3, 2, dtype=torch.float64),
                        torch.zeros(4, 2, dtype=torch.float64), torch.zeros(4, dtype=torch.float64), 1)


def test_gradient_probe_runs_forward_and_backward_on_the_module():
    m = given.LatentMoE(5, 3, 8, 2, latent_dim=2, d_shared=4).double()
    m.reset_parameters(torch.Generator().manual_seed(0))
    x = torch.randn(3, 5, dtype=torch.float64, generator=torch.Generator().manual_seed(1))
    cot = torch.randn(3, 5, dtype=torch.float64, generator=torch.Generator().manual_seed(2))
    probe = GradientProbe(x, cot)
    m.apply(probe)
    torch.testing.assert_close(probe.output, m(x).detach())
    params = dict(m.named_parameters())
    assert set(probe.grads) == set(params)
    loss = (m(x) * cot).sum()
    loss.backward()
    for name, p in params.items():
        torch.testing.assert_close(probe.grads[name], p.grad)
    assert probe.buffers_need_grad == [] and probe.input_unchanged is True
    assert set(probe.__getstate__()) == {"x", "cotangent", "grads", "output", "input_unchanged", "buffers_need_grad"}


def test_show_unattended_draws_a_static_figure_and_a_readout(monkeypatch, explorer):
    shown = []
    monkeypatch.setattr("mlpapers.widgetkit.display", lambda obj, **kw: shown.append(obj))
    explorer.show(interactive=False)
    assert len(shown) == 2 and "mlpapers-readout" in shown[1].data

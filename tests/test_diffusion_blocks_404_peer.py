"""Peer test for problem 404: the course's EDM preconditioning against diffusers' EDMEulerScheduler.

diffusers (a test-only dependency) implements EDM's Table 1 in ``EDMEulerScheduler``:
``precondition_inputs`` (c_in x), ``precondition_noise`` (c_noise = ln(sigma) / 4) and
``precondition_outputs`` (c_skip x + c_out F, for ``prediction_type="epsilon"``, its default). We feed
both implementations identical float64 inputs at noise levels spanning [0.002, 80] and require
agreement to float precision. The course side is the instructor's given module, loaded by path.
"""
import numpy as np
import pytest
import torch
from diffusers import EDMEulerScheduler  # a test-only (dev) dependency; importing it takes about 1.5 s

from mlpapers.figures import reference

given = reference("diffusion_blocks")
SIGMAS = [0.002, 0.01, 0.1796, 0.5, 0.505, 1.0, 3.7, 17.0, 80.0]
RTOL, ATOL = 1e-13, 1e-15


@pytest.fixture(scope="module")
def scheduler():
    return EDMEulerScheduler(sigma_min=0.002, sigma_max=80.0, sigma_data=0.5)


def _t(a):
    return torch.as_tensor(np.asarray(a, dtype=np.float64))


def test_scheduler_is_configured_as_edm(scheduler):
    assert scheduler.config.sigma_data == 0.5 and scheduler.config.prediction_type == "epsilon"
    assert (scheduler.config.sigma_min, scheduler.config.sigma_max) == (0.002, 80.0)


@pytest.mark.parametrize("sigma", SIGMAS)
def test_c_in_matches_precondition_inputs(scheduler, sigma):
    x = np.random.default_rng(int(sigma * 1000)).normal(size=(3, 5))
    _, _, c_in, _ = given.edm_precond(sigma)
    theirs = scheduler.precondition_inputs(_t(x), torch.tensor(sigma, dtype=torch.float64))
    assert theirs.dtype == torch.float64
    np.testing.assert_allclose(c_in * x, theirs.numpy(), rtol=RTOL, atol=ATOL)


def test_c_noise_matches_precondition_noise(scheduler):
    s = np.array(SIGMAS)
    _, _, _, c_noise = given.edm_precond(s)
    theirs = scheduler.precondition_noise(_t(s))
    assert theirs.dtype == torch.float64
    np.testing.assert_allclose(c_noise, theirs.numpy(), rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("shape", [(9, 4), (9, 2, 3)])
def test_edm_denoise_matches_precondition_outputs(scheduler, shape):
    """D = c_skip x + c_out F, one sigma per example, against diffusers with the same per-example sigma."""
    rng = np.random.default_rng(404)
    s = np.array(SIGMAS)
    y = 0.5 * rng.standard_normal(shape)
    x = y + s.reshape((-1,) + (1,) * (len(shape) - 1)) * rng.standard_normal(shape)
    F = rng.standard_normal(shape)
    ours = given.edm_denoise(F, x, s)
    col = _t(s).reshape((-1,) + (1,) * (len(shape) - 1))
    theirs = scheduler.precondition_outputs(_t(x), _t(F), col)
    assert theirs.dtype == torch.float64
    np.testing.assert_allclose(ours, theirs.numpy(), rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("sigma", SIGMAS)
def test_c_skip_and_c_out_separately(scheduler, sigma):
    """precondition_outputs on (x, 0) gives c_skip x; on (0, F) it gives c_out F."""
    c_skip, c_out, _, _ = given.edm_precond(sigma)
    one = _t([1.0])
    zero = _t([0.0])
    s = torch.tensor(sigma, dtype=torch.float64)
    np.testing.assert_allclose(c_skip, scheduler.precondition_outputs(one, zero, s).numpy()[0], rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(c_out, scheduler.precondition_outputs(zero, one, s).numpy()[0], rtol=RTOL, atol=ATOL)


def test_loss_weight_is_one_over_c_out_squared_of_diffusers(scheduler):
    """EDM's lambda(sigma) = 1 / c_out^2, with c_out read off diffusers' precondition_outputs."""
    s = _t(SIGMAS)
    c_out = scheduler.precondition_outputs(torch.zeros_like(s), torch.ones_like(s), s).numpy()
    np.testing.assert_allclose(given.edm_loss_weight(np.array(SIGMAS)) * c_out ** 2, 1.0, rtol=1e-12, atol=0)

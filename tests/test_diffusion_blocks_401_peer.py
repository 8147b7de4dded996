"""Problem 401's reference (the chapter's given module) against SciPy's log-normal and normal distributions.

Instructor side only. EDM's p_train is ln(sigma) ~ N(P_mean, P_std^2), which is
``scipy.stats.lognorm(s=P_std, scale=exp(P_mean))``. The course computes Phi with ``math.erf`` and Phi^-1
with ``statistics.NormalDist().inv_cdf``; SciPy uses its own ``ndtr`` / ``ndtri``. Everything is compared
at 1e-9 relative, the tolerance of the notebook's tests. The CDF is compared where it is at least 1e-6:
``0.5 * (1 + erf(z))`` loses relative precision to cancellation deep in the lower tail (about 1e-16 / F),
which never matters here because F(sigma_min) = 1.46e-5 at EDM's defaults.
"""
import math

import numpy as np
import pytest
from scipy import stats

from mlpapers.figures import reference

g = reference("diffusion_blocks")  # the instructor's given module, loaded by path

RTOL = 1e-9
PARAMS = [(-1.2, 1.2),   # EDM
          (0.0, 1.0),
          (-0.4, 1.4),
          (-2.0, 0.6),
          (0.5, 2.0)]
RANGES = [(0.002, 80.0),  # EDM
          (0.01, 10.0),
          (1e-3, 200.0),
          (0.05, 2.0)]


def lognorm(p_mean, p_std):
    return stats.lognorm(s=p_std, scale=math.exp(p_mean))


def scipy_boundaries(B, lo, hi, p_mean, p_std):
    """Equal-mass quantiles of the log-normal truncated to [lo, hi], all through SciPy."""
    d = lognorm(p_mean, p_std)
    f_lo, f_hi = d.cdf(lo), d.cdf(hi)
    out = d.ppf(f_lo + (f_hi - f_lo) * np.arange(B + 1) / B)
    out[0], out[-1] = lo, hi
    return out


@pytest.mark.parametrize("p_mean, p_std", PARAMS)
def test_cdf_matches_scipy(p_mean, p_std):
    d = lognorm(p_mean, p_std)
    sigma = np.exp(np.linspace(p_mean - 4.7 * p_std, p_mean + 6 * p_std, 401))   # F >= 1.3e-6
    got = g.lognormal_cdf(sigma, p_mean, p_std)
    np.testing.assert_allclose(got, d.cdf(sigma), rtol=RTOL, atol=0)


@pytest.mark.parametrize("p_mean, p_std", PARAMS)
def test_ppf_matches_scipy(p_mean, p_std):
    d = lognorm(p_mean, p_std)
    u = np.concatenate([[1e-9, 1e-6, 1e-3], np.linspace(0.001, 0.999, 999), [1 - 1e-6, 1 - 1e-9]])
    np.testing.assert_allclose(g.lognormal_ppf(u, p_mean, p_std), d.ppf(u), rtol=RTOL, atol=0)


def test_edm_visible_values_match_scipy():
    d = lognorm(-1.2, 1.2)
    np.testing.assert_allclose(g.lognormal_cdf([0.002, 80.0]), d.cdf([0.002, 80.0]), rtol=RTOL, atol=0)
    np.testing.assert_allclose(g.lognormal_ppf([0.5, 0.025, 0.975]), d.ppf([0.5, 0.025, 0.975]), rtol=RTOL, atol=0)
    np.testing.assert_allclose(d.cdf([0.002, 80.0]), [1.4649980660e-05, 0.9999983539], rtol=1e-9)


@pytest.mark.parametrize("B", [1, 2, 3, 4, 6, 10])
@pytest.mark.parametrize("lo, hi", RANGES)
@pytest.mark.parametrize("p_mean, p_std", PARAMS)
def test_boundaries_are_scipy_truncated_quantiles(B, lo, hi, p_mean, p_std):
    got = g.block_boundaries(B, lo, hi, p_mean, p_std)
    assert got.shape == (B + 1,) and got.dtype == np.float64
    assert got[0] == lo and got[-1] == hi
    np.testing.assert_allclose(got, scipy_boundaries(B, lo, hi, p_mean, p_std), rtol=RTOL, atol=0)
    F = lognorm(p_mean, p_std).cdf(got)                  # every block holds 1/B of the truncated mass
    np.testing.assert_allclose(np.diff(F) / (F[-1] - F[0]), 1.0 / B, rtol=1e-8)


def test_headline_boundaries_through_scipy_norm():
    """B = 3, EDM: z-scores of the boundaries are scipy.stats.norm quantiles of the truncated mass."""
    lo, hi = 0.002, 80.0
    z_lo, z_hi = (math.log(lo) + 1.2) / 1.2, (math.log(hi) + 1.2) / 1.2
    F_lo, F_hi = stats.norm.cdf(z_lo), stats.norm.cdf(z_hi)
    z = stats.norm.ppf(F_lo + (F_hi - F_lo) * np.array([1, 2]) / 3)
    want = np.exp(-1.2 + 1.2 * z)
    got = g.block_boundaries(3)
    np.testing.assert_allclose(got[1:3], want, rtol=RTOL, atol=0)
    np.testing.assert_allclose(got, [0.002, 0.17963247211160274, 0.5050414640313312, 80.0], rtol=RTOL, atol=0)
    assert F_hi - F_lo == pytest.approx(0.99998370388, abs=1e-11)


def test_tolerance_separates_truncated_from_untruncated_quantiles():
    """The untruncated quantiles F^-1(b/B) differ by ~3e-5 relative: far outside the 1e-9 the tests use."""
    untruncated = lognorm(-1.2, 1.2).ppf([1 / 3, 2 / 3])
    rel = np.abs(untruncated / g.block_boundaries(3)[1:3] - 1)
    assert np.all(rel > 1e-5)


def test_log_uniform_split_masses():
    """The Background's numbers: [0.002, 0.0684, 2.339, 80] holds 10.8 %, 84.8 %, 4.4 % of the truncated mass."""
    edges = np.geomspace(0.002, 80.0, 4)
    np.testing.assert_allclose(edges[1:3], [0.0684, 2.339], rtol=1e-3)
    F = lognorm(-1.2, 1.2).cdf(edges)
    np.testing.assert_allclose(np.round(100 * np.diff(F) / (F[-1] - F[0]), 1), [10.8, 84.8, 4.4])


@pytest.mark.parametrize("B", [2, 3, 5])
def test_assign_block_owner_by_scipy_cdf(B):
    """Block k owns the k-th noisiest 1/B of the truncated CDF: k = floor(B (F_hi - F(sigma)) / Z), clamped."""
    d = lognorm(-1.2, 1.2)
    b = g.block_boundaries(B)
    F_lo, F_hi = d.cdf(0.002), d.cdf(80.0)
    u = np.random.default_rng(B).uniform(0.01, 0.99, 500)       # stay off the boundaries themselves
    sigma = d.ppf(F_lo + (F_hi - F_lo) * u)
    want = np.floor(B * (1 - u)).astype(np.int64)
    np.testing.assert_array_equal(g.assign_block(sigma, b), want)

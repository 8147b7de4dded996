"""Tests for the TriAttention chapter's shared synthetic generator (spec section 3)."""
import math

import numpy as np
import pytest

from mlpapers.triattention.synth import make_centres, make_eviction_scenario, sample_concentrated


def _pairs(x):
    F = x.shape[-1] // 2
    return x[..., :F] + 1j * x[..., F:]


def _R(x):
    z = _pairs(x)
    return np.abs(z.mean(axis=0)) / np.abs(z).mean(axis=0)


# --- make_centres ---------------------------------------------------------------------------

def test_make_centres_visible_example():
    q, k = make_centres(8, rng=np.random.default_rng(0))
    assert q.dtype == np.complex128 and k.dtype == np.complex128
    assert q.shape == (4,) and k.shape == (4,)
    np.testing.assert_allclose(q, [1.2258612593 + 0.3446894206j, -1.2597573833 + 0.5444652290j,
                                   -1.0480807579 + 2.3867706464j, -2.4111060969 - 0.0414908015j],
                               atol=1e-9)
    np.testing.assert_allclose(k, [0.5581705263 - 0.6868832599j, -1.5649040150 + 0.8905016373j,
                                   0.7797622559 + 3.6730824653j, -3.6012503879 + 1.3101824059j],
                               atol=1e-9)


def test_make_centres_draw_order():
    """Recompute the documented recipe by hand from the same seed."""
    d, F = 16, 8
    rng = np.random.default_rng(7)
    q_mag = rng.lognormal(0, 0.3, F)
    k_mag = rng.lognormal(0, 0.3, F)
    q_ph = rng.uniform(-np.pi, np.pi, F)
    k_ph = q_ph + rng.normal(0, 0.2, F)
    prof = np.exp(1.5 * (np.arange(F) / (F - 1) - 1))
    q_mag, k_mag = q_mag * prof, k_mag * prof
    s = math.sqrt(5.0 * math.sqrt(d) / np.sum(q_mag * k_mag))
    q, k = make_centres(d, rng=np.random.default_rng(7), magnitude_sigma=0.3, tilt=1.5,
                        phase_jitter=0.2, peak_logit=5.0)
    np.testing.assert_allclose(q, s * q_mag * np.exp(1j * q_ph), rtol=1e-13)
    np.testing.assert_allclose(k, s * k_mag * np.exp(1j * k_ph), rtol=1e-13)
    # the generator consumed exactly 4 F draws: the next draw matches
    rng2 = np.random.default_rng(7)
    make_centres(d, rng=rng2, magnitude_sigma=0.3, tilt=1.5, phase_jitter=0.2, peak_logit=5.0)
    assert rng2.standard_normal() == rng.standard_normal()


@pytest.mark.parametrize("d,peak", [(2, 3.0), (8, 8.0), (64, 8.0), (128, 12.0)])
def test_make_centres_peak_logit(d, peak):
    q, k = make_centres(d, rng=np.random.default_rng(3), peak_logit=peak)
    assert np.sum(np.abs(q) * np.abs(k)) / math.sqrt(d) == pytest.approx(peak, rel=1e-12)


def test_make_centres_reproducible_and_tilt():
    a = make_centres(64, rng=np.random.default_rng(5))
    b = make_centres(64, rng=np.random.default_rng(5))
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    # tilt makes low-frequency pairs (large f) larger on average
    q, _ = make_centres(64, rng=np.random.default_rng(5), tilt=3.0, magnitude_sigma=0.0)
    assert np.all(np.diff(np.abs(q)) > 0)
    # zero jitter: key phases equal query phases
    q, k = make_centres(16, rng=np.random.default_rng(1), phase_jitter=0.0)
    np.testing.assert_allclose(np.angle(q * np.conj(k)), 0.0, atol=1e-12)


def test_make_centres_single_pair():
    q, k = make_centres(2, rng=np.random.default_rng(0), tilt=5.0)
    assert q.shape == (1,) and abs(q[0]) * abs(k[0]) / math.sqrt(2) == pytest.approx(8.0)


@pytest.mark.parametrize("kwargs,exc,word", [
    (dict(head_dim=8.0), TypeError, "head_dim"),
    (dict(head_dim=True), TypeError, "head_dim"),
    (dict(head_dim=7), ValueError, "head_dim"),
    (dict(head_dim=0), ValueError, "head_dim"),
    (dict(head_dim=8, magnitude_sigma=-0.1), ValueError, "magnitude_sigma"),
    (dict(head_dim=8, phase_jitter=-1.0), ValueError, "phase_jitter"),
    (dict(head_dim=8, peak_logit=0.0), ValueError, "peak_logit"),
])
def test_make_centres_errors(kwargs, exc, word):
    head_dim = kwargs.pop("head_dim")
    with pytest.raises(exc, match=word):
        make_centres(head_dim, rng=np.random.default_rng(0), **kwargs)


def test_make_centres_rng_type():
    with pytest.raises(TypeError, match="rng"):
        make_centres(8, rng=0)
    with pytest.raises(TypeError, match="rng"):
        make_centres(8, rng=np.random.RandomState(0))


# --- sample_concentrated --------------------------------------------------------------------

def test_sample_visible_example():
    x = sample_concentrated(np.array([1 + 1j, 2 + 0j]), 2, rng=np.random.default_rng(0),
                            noise=0.5, norm_sigma=0.1)
    assert x.dtype == np.float64 and x.shape == (2, 4)
    np.testing.assert_allclose(x, [[1.0038072745, 1.7886911824, 0.6263074752, 0.2063836474],
                                   [1.2266988382, 1.8188764495, 1.5847545950, 0.5110297513]],
                               atol=1e-9)


def test_sample_draw_order_by_hand():
    c = np.array([1 + 2j, -0.5 + 0j, 3j])
    noise = np.array([0.1, 0.5, 1.0])
    rng = np.random.default_rng(11)
    a = rng.standard_normal((5, 3))
    b = rng.standard_normal((5, 3))
    g = rng.standard_normal(5)
    rms = math.sqrt(np.mean(np.abs(c) ** 2))
    z = (c + noise * rms * (a + 1j * b) / math.sqrt(2)) * np.exp(0.2 * g)[:, None]
    x = sample_concentrated(c, 5, rng=np.random.default_rng(11), noise=noise, norm_sigma=0.2)
    np.testing.assert_allclose(x, np.concatenate([z.real, z.imag], axis=1), rtol=1e-13)


def test_sample_always_draws_g():
    """g is drawn even with norm_sigma = 0, so the stream position does not depend on it."""
    r1, r2 = np.random.default_rng(2), np.random.default_rng(2)
    sample_concentrated(np.array([1j, 1.0]), 10, rng=r1, noise=0.3, norm_sigma=0.0)
    sample_concentrated(np.array([1j, 1.0]), 10, rng=r2, noise=0.3, norm_sigma=0.4)
    assert r1.standard_normal() == r2.standard_normal()


def test_sample_noise_free_is_centre():
    q, _ = make_centres(16, rng=np.random.default_rng(0))
    x = sample_concentrated(q, 7, rng=np.random.default_rng(0), noise=0.0)
    np.testing.assert_allclose(_pairs(x), np.broadcast_to(q, (7, 8)), rtol=1e-14)
    assert np.allclose(_R(x), 1.0)


def test_sample_empty_and_no_mutation():
    c = np.array([1 + 1j, 2.0])
    c0 = c.copy()
    x = sample_concentrated(c, 0, rng=np.random.default_rng(0), noise=1.0)
    assert x.shape == (0, 4)
    np.testing.assert_array_equal(c, c0)


@pytest.mark.parametrize("noise,med,dom", [(0.4, 0.931, 0.991), (0.8, 0.757, 0.965),
                                           (1.2, 0.592, 0.922), (2.0, 0.393, 0.799)])
def test_sample_concentration_statistics(noise, med, dom):
    """The spec's measured R statistics (4000 samples from the seed-0, d = 64 centres)."""
    rng = np.random.default_rng(0)
    q, _ = make_centres(64, rng=rng)
    x = sample_concentrated(q, 4000, rng=rng, noise=noise)
    R = _R(x)
    assert np.median(R) == pytest.approx(med, abs=0.01)
    assert R[np.argmax(np.abs(q))] == pytest.approx(dom, abs=0.01)
    # strong pairs are more concentrated than weak ones
    assert np.corrcoef(np.abs(q), R)[0, 1] > 0.5


@pytest.mark.parametrize("kwargs,exc,word", [
    (dict(n=2.0), TypeError, "n"),
    (dict(n=-1), ValueError, "n"),
    (dict(noise=-0.1), ValueError, "noise"),
    (dict(noise=np.ones(3)), ValueError, "noise"),
    (dict(norm_sigma=-0.1), ValueError, "norm_sigma"),
    (dict(centre=np.ones((2, 2))), ValueError, "centre"),
    (dict(rng=1), TypeError, "rng"),
])
def test_sample_errors(kwargs, exc, word):
    args = dict(centre=np.array([1 + 1j, 2.0]), n=3, rng=np.random.default_rng(0), noise=0.5)
    args.update(kwargs)
    centre, n = args.pop("centre"), args.pop("n")
    with pytest.raises(exc, match=word):
        sample_concentrated(centre, n, **args)


# --- make_eviction_scenario -----------------------------------------------------------------

def test_scenario_draw_order_and_contents():
    sc = make_eviction_scenario(rng=np.random.default_rng(4), head_dim=16, n_cached=50,
                                n_future=20, n_calib=30, window=4, tilt=1.0)
    rng = np.random.default_rng(4)
    q, k = make_centres(16, rng=rng, tilt=1.0)
    keys = sample_concentrated(k, 50, rng=rng, noise=0.8, norm_sigma=0.3)
    values = rng.standard_normal((50, 16))
    past = sample_concentrated(q, 50, rng=rng, noise=0.8)
    fut = sample_concentrated(q, 20, rng=rng, noise=0.8)
    cal = sample_concentrated(q, 30, rng=rng, noise=0.8)
    for name, ref in [("q_centre_true", q), ("k_centre_true", k), ("keys", keys), ("values", values),
                      ("past_queries", past), ("future_queries", fut), ("calib_queries", cal)]:
        np.testing.assert_array_equal(sc[name], ref, err_msg=name)
    np.testing.assert_array_equal(sc["key_positions"], np.arange(50.0))
    np.testing.assert_array_equal(sc["past_positions"], np.arange(50.0))
    np.testing.assert_array_equal(sc["future_positions"], np.arange(50.0, 70.0))
    assert sc["key_positions"].dtype == np.float64 and sc["future_positions"].dtype == np.float64
    assert sc["query_position"] == 50.0 and isinstance(sc["query_position"], float)
    assert sc["window"] == 4 and sc["head_dim"] == 16


def test_scenario_default_shapes_and_concentration():
    meds, doms = [], []
    for seed in range(3):
        sc = make_eviction_scenario(rng=np.random.default_rng(seed))
        assert sc["keys"].shape == (2560, 64) and sc["values"].shape == (2560, 64)
        assert sc["future_queries"].shape == (512, 64) and sc["calib_queries"].shape == (512, 64)
        R = _R(sc["calib_queries"])
        meds.append(np.median(R))
        doms.append(R[np.argmax(np.abs(sc["q_centre_true"]))])
    assert np.mean(meds) == pytest.approx(0.75, abs=0.04)
    assert np.mean(doms) == pytest.approx(0.97, abs=0.02)


def test_scenario_errors():
    with pytest.raises(TypeError, match="rng"):
        make_eviction_scenario(rng=None)
    with pytest.raises(TypeError, match="n_cached"):
        make_eviction_scenario(rng=np.random.default_rng(0), n_cached=10.0)
    with pytest.raises(ValueError, match="window"):
        make_eviction_scenario(rng=np.random.default_rng(0), n_cached=10, window=11)
    with pytest.raises(ValueError, match="n_future"):
        make_eviction_scenario(rng=np.random.default_rng(0), n_future=0)

"""Synthetic "attention head" for the TriAttention chapter (course-provided data, not graded).

Pre-RoPE queries and keys of a real attention head cluster around fixed, non-zero centres
(the TriAttention paper's *Q/K concentration*). This module draws such data: a pair of complex
centres per head (:func:`make_centres`), vectors scattered around a centre with a controllable
amount of isotropic noise (:func:`sample_concentrated`), and a complete KV-cache eviction
scenario (:func:`make_eviction_scenario`).

Conventions (shared by the whole chapter): a real vector ``x`` of even length ``d = 2F`` is
read as ``F`` complex frequency pairs ``z_f = x[f] + 1j * x[f + F]`` (the "half split" /
rotate-half layout of Llama, Qwen and the official TriAttention code). Pair ``f = 0`` rotates
fastest under RoPE, pair ``F - 1`` slowest.

The order of the random draws is part of the contract: problems, widgets and tests rely on the
exact numbers produced for a given seed.
"""
from __future__ import annotations

import math
import numbers

import numpy as np

__all__ = ["make_centres", "sample_concentrated", "make_eviction_scenario"]


# --- validation helpers -----------------------------------------------------------------------

def _check_int(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    return int(value)


def _check_rng(rng) -> np.random.Generator:
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
    return rng


def _check_real(value, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    return value


# --- public API -------------------------------------------------------------------------------

def make_centres(head_dim: int, *, rng: np.random.Generator, magnitude_sigma: float = 0.55,
                 tilt: float = 0.65, phase_jitter: float = 0.5,
                 peak_logit: float = 8.0) -> tuple[np.ndarray, np.ndarray]:
    """Draw the pre-RoPE query and key centres of one synthetic head.

    Parameters
    ----------
    head_dim : int
        Even head dimension ``d``; the head has ``F = d // 2`` frequency pairs.
    rng : numpy.random.Generator
        Source of randomness (keyword only).
    magnitude_sigma : float
        Log-normal spread of the per-pair magnitudes (head-to-head spread of the real data).
    tilt : float
        Magnitudes are multiplied by ``exp(tilt * (f / (F - 1) - 1))``: low-frequency pairs
        (large ``f``) are larger, as in real Q/K.
    phase_jitter : float
        Standard deviation of the key phase around the query phase. Small values mean the
        centres point the same way in every pair, i.e. a recency preference.
    peak_logit : float
        The centres are scaled together so that ``sum_f |q_f| |k_f| / sqrt(d) == peak_logit``.

    Returns
    -------
    (q_centre, k_centre) : two complex128 arrays of shape (F,)

    Draw order: ``q_mag = lognormal(0, sigma, F)``, ``k_mag = lognormal(0, sigma, F)``,
    ``q_phase = uniform(-pi, pi, F)``, ``k_phase = q_phase + normal(0, jitter, F)``.
    """
    head_dim = _check_int(head_dim, "head_dim")
    rng = _check_rng(rng)
    if head_dim < 2 or head_dim % 2:
        raise ValueError(f"head_dim must be an even int >= 2, got {head_dim}")
    magnitude_sigma = _check_real(magnitude_sigma, "magnitude_sigma")
    tilt = _check_real(tilt, "tilt")
    phase_jitter = _check_real(phase_jitter, "phase_jitter")
    peak_logit = _check_real(peak_logit, "peak_logit")
    if magnitude_sigma < 0:
        raise ValueError(f"magnitude_sigma must be >= 0, got {magnitude_sigma}")
    if phase_jitter < 0:
        raise ValueError(f"phase_jitter must be >= 0, got {phase_jitter}")
    if peak_logit <= 0:
        raise ValueError(f"peak_logit must be > 0, got {peak_logit}")

    F = head_dim // 2
    q_mag = rng.lognormal(0.0, magnitude_sigma, F)
    k_mag = rng.lognormal(0.0, magnitude_sigma, F)
    q_phase = rng.uniform(-np.pi, np.pi, F)
    k_phase = q_phase + rng.normal(0.0, phase_jitter, F)

    if F > 1:
        profile = np.exp(tilt * (np.arange(F) / (F - 1) - 1.0))
    else:
        profile = np.ones(1)
    q_mag = q_mag * profile
    k_mag = k_mag * profile
    s = math.sqrt(peak_logit * math.sqrt(head_dim) / float(np.sum(q_mag * k_mag)))
    q_mag = q_mag * s
    k_mag = k_mag * s
    q_centre = (q_mag * np.exp(1j * q_phase)).astype(np.complex128)
    k_centre = (k_mag * np.exp(1j * k_phase)).astype(np.complex128)
    return q_centre, k_centre


def sample_concentrated(centre, n: int, *, rng: np.random.Generator, noise,
                        norm_sigma: float = 0.0) -> np.ndarray:
    """Draw ``n`` pre-RoPE vectors concentrated around a complex centre.

    Each pair is ``z_f = centre_f + noise_f * rms * (a + i b) / sqrt(2)`` with standard normal
    ``a, b`` and ``rms = sqrt(mean_f |centre_f|^2)``; the noise has the same absolute size in
    every pair, so large pairs are tightly concentrated and small pairs are diffuse. Each
    whole vector is then scaled by ``exp(norm_sigma * g)`` with a standard normal ``g``.

    Parameters
    ----------
    centre : array-like, complex, shape (F,)
    n : int, >= 0
    rng : numpy.random.Generator (keyword only)
    noise : float or array of shape (F,), >= 0
    norm_sigma : float, >= 0

    Returns
    -------
    np.ndarray, float64, shape (n, 2F), half-split real layout.

    Draw order (always, whatever the parameters): ``a`` (n, F), ``b`` (n, F), ``g`` (n,).
    """
    rng = _check_rng(rng)
    n = _check_int(n, "n")
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    centre = np.asarray(centre)
    if centre.ndim != 1 or centre.shape[0] < 1:
        raise ValueError(f"centre must be a non-empty 1-D array, got shape {centre.shape}")
    if not np.issubdtype(centre.dtype, np.number) or centre.dtype == np.bool_:
        raise TypeError(f"centre must be numeric, got dtype {centre.dtype}")
    centre = centre.astype(np.complex128)
    if not np.all(np.isfinite(centre)):
        raise ValueError("centre must be finite")
    F = centre.shape[0]
    noise_arr = np.asarray(noise, dtype=np.float64)
    if noise_arr.ndim not in (0, 1) or (noise_arr.ndim == 1 and noise_arr.shape[0] != F):
        raise ValueError(f"noise must be a scalar or have shape ({F},), got shape {noise_arr.shape}")
    if not np.all(np.isfinite(noise_arr)) or np.any(noise_arr < 0):
        raise ValueError("noise must be finite and >= 0")
    norm_sigma = _check_real(norm_sigma, "norm_sigma")
    if norm_sigma < 0:
        raise ValueError(f"norm_sigma must be >= 0, got {norm_sigma}")

    rms = math.sqrt(float(np.mean(np.abs(centre) ** 2)))
    a = rng.standard_normal((n, F))
    b = rng.standard_normal((n, F))
    g = rng.standard_normal(n)
    z = centre + noise_arr * rms * (a + 1j * b) / math.sqrt(2.0)
    z = z * np.exp(norm_sigma * g)[:, None]
    # half-split layout; kept inline so that no package function hands out problem 284's
    # from_complex_pairs
    return np.concatenate([z.real, z.imag], axis=1)


def make_eviction_scenario(*, rng: np.random.Generator, head_dim: int = 64, n_cached: int = 2560,
                           n_future: int = 512, window: int = 8, n_calib: int = 512,
                           q_noise=0.8, k_noise=0.8, norm_sigma: float = 0.3,
                           **centre_kwargs) -> dict:
    """Build one KV-cache eviction scenario for a single synthetic head.

    Tokens ``0 … n_cached-1`` are in the cache (keys, values and the queries that were asked
    at those positions); ``n_future`` later queries (positions ``n_cached …``) are used to
    judge what an eviction policy kept; ``n_calib`` independent queries play the role of the
    offline calibration pass. All vectors are pre-RoPE, half-split layout.

    Draw order: ``make_centres(head_dim, rng=rng, **centre_kwargs)``; keys
    (``sample_concentrated(k_centre, n_cached, noise=k_noise, norm_sigma=norm_sigma)``);
    values ``rng.standard_normal((n_cached, head_dim))``; past, future and calibration
    queries (each ``sample_concentrated(q_centre, ., noise=q_noise, norm_sigma=0)``).

    Returns
    -------
    dict with keys ``q_centre_true, k_centre_true, keys, key_positions, values, past_queries,
    past_positions, future_queries, future_positions, calib_queries, query_position, window,
    head_dim``. Positions are float64; ``query_position == float(n_cached)``.
    """
    rng = _check_rng(rng)
    head_dim = _check_int(head_dim, "head_dim")
    n_cached = _check_int(n_cached, "n_cached")
    n_future = _check_int(n_future, "n_future")
    window = _check_int(window, "window")
    n_calib = _check_int(n_calib, "n_calib")
    for name, value in (("n_cached", n_cached), ("n_future", n_future), ("n_calib", n_calib)):
        if value < 1:
            raise ValueError(f"{name} must be >= 1, got {value}")
    if window < 1 or window > n_cached:
        raise ValueError(f"window must be in [1, n_cached], got {window}")

    q_centre, k_centre = make_centres(head_dim, rng=rng, **centre_kwargs)
    keys = sample_concentrated(k_centre, n_cached, rng=rng, noise=k_noise, norm_sigma=norm_sigma)
    values = rng.standard_normal((n_cached, head_dim))
    past_queries = sample_concentrated(q_centre, n_cached, rng=rng, noise=q_noise, norm_sigma=0.0)
    future_queries = sample_concentrated(q_centre, n_future, rng=rng, noise=q_noise, norm_sigma=0.0)
    calib_queries = sample_concentrated(q_centre, n_calib, rng=rng, noise=q_noise, norm_sigma=0.0)
    positions = np.arange(n_cached, dtype=np.float64)
    return {
        "q_centre_true": q_centre,
        "k_centre_true": k_centre,
        "keys": keys,
        "key_positions": positions,
        "values": values,
        "past_queries": past_queries,
        "past_positions": positions.copy(),
        "future_queries": future_queries,
        "future_positions": np.arange(n_cached, n_cached + n_future, dtype=np.float64),
        "calib_queries": calib_queries,
        "query_position": float(n_cached),
        "window": window,
        "head_dim": head_dim,
    }

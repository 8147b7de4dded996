"""What problem 405 is given from the DiffusionBlocks chapter.

Problems build on each other: once an earlier problem is done, later ones may rely on it
without trusting your own version. This module holds the reference answers that
problem 405 uses, and nothing more:

* ``adaln_zero_block``: your answer to problem 402
* ``assign_block``: your answer to problem 401
* ``block_boundaries``: your answer to problem 401
* ``edm_precond``: your answer to problem 404
* ``euler_trajectory``: your answer to problem 400
* ``gaussian_denoiser``: a helper
* ``lognormal_cdf``: a helper
* ``lognormal_ppf``: a helper
* ``sample_block_sigmas``: your answer to problem 403
* ``sigma_embedding``: your answer to problem 402
"""
from __future__ import annotations

import math
from statistics import NormalDist
from typing import Callable, Sequence
import numpy as np
from mlpapers.arguments import generator, integer, real, real_array, require


__all__ = ["adaln_zero_block", "assign_block", "block_boundaries", "edm_precond", "euler_trajectory", "gaussian_denoiser", "lognormal_cdf", "lognormal_ppf", "sample_block_sigmas", "sigma_embedding"]


SIGMA_DATA, P_MEAN, P_STD, SIGMA_MIN, SIGMA_MAX = 0.5, -1.2, 1.2, 0.002, 80.0


_erf = np.vectorize(math.erf, otypes=[np.float64])


_inv_cdf = np.vectorize(NormalDist().inv_cdf, otypes=[np.float64])


def _same_shape(a: np.ndarray, b: np.ndarray, name_a: str, name_b: str) -> None:
    require(a.shape == b.shape, name_b, f"shaped like {name_a} {a.shape}", f"shape {b.shape}")


def _sigma_pair(sigma, sigma_next) -> tuple[float, float]:
    sigma = real(sigma, "sigma")
    sigma_next = real(sigma_next, "sigma_next")
    require(sigma > 0, "sigma", "> 0", sigma)
    require(0 <= sigma_next <= sigma, "sigma_next", f"in [0, sigma = {sigma}]", sigma_next)
    return sigma, sigma_next


def _positive_sigmas(sigma, name: str = "sigma") -> np.ndarray:
    s = real_array(sigma, name)
    require(bool(np.all(s > 0)), name, "> 0 everywhere", f"min {s.min() if s.size else None}")
    return s


def pfode_euler_step(x, denoised, sigma: float, sigma_next: float) -> np.ndarray:
    """Problem 400. x + (sigma_next - sigma) * (x - D) / sigma (EDM Eq. 1 + 3 with sigma(t) = t)."""
    x = real_array(x, "x")
    d = real_array(denoised, "denoised")
    _same_shape(x, d, "x", "denoised")
    sigma, sigma_next = _sigma_pair(sigma, sigma_next)
    return x + (sigma_next - sigma) * (x - d) / sigma


def gaussian_denoiser(x, sigma: float, mu, s: float) -> np.ndarray:
    """Problem 400. E[y | y + sigma n = x] for y ~ N(mu, s^2 I): mu + s^2 / (s^2 + sigma^2) (x - mu)."""
    x = real_array(x, "x")
    sigma = real(sigma, "sigma", low=0.0)
    s = real(s, "s")
    require(s > 0, "s", "> 0", s)
    mu = real_array(mu, "mu")
    try:
        np.broadcast_shapes(mu.shape, x.shape)
    except ValueError:
        raise ValueError(f"mu must broadcast against x {x.shape}, got shape {mu.shape}") from None
    return np.broadcast_to(mu + s * s / (s * s + sigma * sigma) * (x - mu), x.shape).copy()


def _check_schedule(sigmas, name: str = "sigmas") -> np.ndarray:
    s = real_array(sigmas, name, ndim=1)
    require(s.size >= 2, name, "of length >= 2", s.size)
    require(bool(np.all(np.diff(s) < 0)), name, "strictly decreasing")
    require(bool(np.all(s[:-1] > 0)) and s[-1] >= 0, name, "positive (a final 0 allowed)")
    return s


def euler_trajectory(x_init, sigmas, denoise_fn: Callable[[np.ndarray, float], np.ndarray]) -> np.ndarray:
    """Problem 400. All states of the Euler sampler: out[0] = x_init, out[i+1] = step(out[i], sigmas[i] -> sigmas[i+1])."""
    x = real_array(x_init, "x_init")
    s = _check_schedule(sigmas)
    if not callable(denoise_fn):
        raise TypeError(f"denoise_fn must be callable, got {type(denoise_fn).__name__}")
    out = np.empty((s.size,) + x.shape)
    out[0] = x
    for i in range(s.size - 1):
        out[i + 1] = pfode_euler_step(out[i], denoise_fn(out[i].copy(), float(s[i])), s[i], s[i + 1])
    return out


def _p_params(p_mean, p_std) -> tuple[float, float]:
    p_mean = real(p_mean, "p_mean")
    p_std = real(p_std, "p_std")
    require(p_std > 0, "p_std", "> 0", p_std)
    return p_mean, p_std


def lognormal_cdf(sigma, p_mean: float = P_MEAN, p_std: float = P_STD) -> np.ndarray:
    """Problem 401. F(sigma) = Phi((ln sigma - P_mean) / P_std), elementwise, float64."""
    s = _positive_sigmas(sigma)
    p_mean, p_std = _p_params(p_mean, p_std)
    z = (np.log(s) - p_mean) / p_std
    return 0.5 * (1.0 + _erf(z / math.sqrt(2.0)))


def lognormal_ppf(u, p_mean: float = P_MEAN, p_std: float = P_STD) -> np.ndarray:
    """Problem 401. F^-1(u) = exp(P_mean + P_std * Phi^-1(u)) for u in (0, 1), elementwise."""
    u = real_array(u, "u")
    require(bool(np.all((u > 0) & (u < 1))), "u", "in (0, 1) everywhere")
    p_mean, p_std = _p_params(p_mean, p_std)
    return np.exp(p_mean + p_std * _inv_cdf(u))


def block_boundaries(num_blocks: int, sigma_min: float = SIGMA_MIN, sigma_max: float = SIGMA_MAX,
                     p_mean: float = P_MEAN, p_std: float = P_STD) -> np.ndarray:
    """Problem 401. B + 1 ascending boundaries with equal truncated log-normal mass between them."""
    B = integer(num_blocks, "num_blocks", low=1)
    lo = real(sigma_min, "sigma_min")
    hi = real(sigma_max, "sigma_max")
    require(0 < lo < hi, "sigma_min and sigma_max", "0 < sigma_min < sigma_max", (lo, hi))
    f_lo, f_hi = lognormal_cdf([lo, hi], p_mean, p_std)
    out = np.empty(B + 1)
    out[0], out[B] = lo, hi
    if B > 1:
        out[1:B] = lognormal_ppf(f_lo + (f_hi - f_lo) * np.arange(1, B) / B, p_mean, p_std)
    return out


def _check_boundaries(boundaries) -> np.ndarray:
    b = real_array(boundaries, "boundaries", ndim=1)
    require(b.size >= 2, "boundaries", "of length >= 2 (B + 1 values)", b.size)
    require(bool(b[0] > 0 and np.all(np.diff(b) > 0)), "boundaries", "positive and strictly increasing")
    return b


def assign_block(sigma, boundaries) -> np.ndarray:
    """Problem 401. Network block owning each sigma (0 = noisiest; ties go to the noisier block; clamped)."""
    s = _positive_sigmas(sigma)
    b = _check_boundaries(boundaries)
    B = b.size - 1
    bucket = np.clip(np.searchsorted(b, s, side="right") - 1, 0, B - 1)
    return (B - 1 - bucket).astype(np.int64)


def block_sigma_range(block: int, boundaries, overlap: float = 0.0) -> tuple[float, float]:
    """Problem 403. (lo, hi) of network block `block`, widened by `overlap` times its log-width, clipped."""
    b = _check_boundaries(boundaries)
    B = b.size - 1
    k = integer(block, "block", low=0, high=B - 1)
    overlap = real(overlap, "overlap", low=0.0)
    lo, hi = b[B - 1 - k], b[B - k]
    r = math.log(hi) - math.log(lo)
    return float(max(lo * math.exp(-overlap * r), b[0])), float(min(hi * math.exp(overlap * r), b[-1]))


def sample_block_sigmas(block: int, boundaries, n: int, rng: np.random.Generator, overlap: float = 0.0,
                        p_mean: float = P_MEAN, p_std: float = P_STD) -> np.ndarray:
    """Problem 403. n draws of the log-normal truncated to the block's range: one rng.random(n) call."""
    rng = generator(rng)
    n = integer(n, "n", low=1)
    lo, hi = block_sigma_range(block, boundaries, overlap)
    f_lo, f_hi = lognormal_cdf([lo, hi], p_mean, p_std)
    u = f_lo + (f_hi - f_lo) * rng.random(n)
    return lognormal_ppf(u, p_mean, p_std)


def _sigma_data(sigma_data) -> float:
    sd = real(sigma_data, "sigma_data")
    require(sd > 0, "sigma_data", "> 0", sd)
    return sd


def edm_precond(sigma, sigma_data: float = SIGMA_DATA):
    """Problem 404. (c_skip, c_out, c_in, c_noise), each shaped like sigma (EDM Table 1)."""
    s = _positive_sigmas(sigma)
    sd = _sigma_data(sigma_data)
    total = s * s + sd * sd
    return sd * sd / total, s * sd / np.sqrt(total), 1.0 / np.sqrt(total), 0.25 * np.log(s)


def sigma_embedding(sigma, dim: int, max_period: float = 10000.0) -> np.ndarray:
    """Problem 402. [cos(c_noise w) | sin(c_noise w)], c_noise = ln(sigma) / 4, w_j = max_period^(-j/h); (N, dim)."""
    s = _positive_sigmas(sigma).reshape(-1)
    dim = integer(dim, "dim", low=1)
    require(dim % 2 == 0, "dim", "even", dim)
    max_period = real(max_period, "max_period")
    require(max_period > 0, "max_period", "> 0", max_period)
    half = dim // 2
    freqs = np.exp(-math.log(max_period) * np.arange(half) / half)
    args = (0.25 * np.log(s))[:, None] * freqs[None, :]
    return np.concatenate([np.cos(args), np.sin(args)], axis=1)


def layer_norm(x, eps: float = 1e-6) -> np.ndarray:
    """Problem 402. Parameter-free LayerNorm over the last axis (biased variance)."""
    x = real_array(x, "x")
    require(x.ndim >= 1, "x", "at least 1-D", f"shape {x.shape}")
    eps = real(eps, "eps", low=0.0)
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps)


def _per_sample(v: np.ndarray, x: np.ndarray) -> np.ndarray:
    return v.reshape((v.shape[0],) + (1,) * (x.ndim - 2) + (v.shape[1],))


def adaln_modulate(x, shift, scale) -> np.ndarray:
    """Problem 402. x * (1 + scale) + shift, with (N, D) shift/scale broadcast over x's middle axes."""
    x = real_array(x, "x")
    require(x.ndim >= 2, "x", "of shape (N, ..., D)", f"shape {x.shape}")
    shift = real_array(shift, "shift", shape=(x.shape[0], x.shape[-1]))
    scale = real_array(scale, "scale", shape=(x.shape[0], x.shape[-1]))
    return x * (1.0 + _per_sample(scale, x)) + _per_sample(shift, x)


def adaln_zero_block(x, cond, w_mod, b_mod, branch: Callable[[np.ndarray], np.ndarray],
                     eps: float = 1e-6) -> np.ndarray:
    """Problem 402. x + gate * branch(modulate(LN(x), shift, scale)); (shift, scale, gate) = split3(cond W + b)."""
    x = real_array(x, "x")
    require(x.ndim >= 2, "x", "of shape (N, ..., D)", f"shape {x.shape}")
    N, D = x.shape[0], x.shape[-1]
    cond = real_array(cond, "cond", ndim=2)
    require(cond.shape[0] == N, "cond", f"of shape ({N}, C)", f"shape {cond.shape}")
    w_mod = real_array(w_mod, "w_mod", shape=(cond.shape[1], 3 * D))
    b_mod = real_array(b_mod, "b_mod", shape=(3 * D,))
    if not callable(branch):
        raise TypeError(f"branch must be callable, got {type(branch).__name__}")
    mod = cond @ w_mod + b_mod
    shift, scale, gate = mod[:, :D], mod[:, D:2 * D], mod[:, 2 * D:]
    h = np.asarray(branch(adaln_modulate(layer_norm(x, eps), shift, scale)), dtype=np.float64)
    require(h.shape == x.shape, "branch's output", f"shaped like x {x.shape}", f"shape {h.shape}")
    return x + _per_sample(gate, x) * h

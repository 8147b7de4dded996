"""Answers of earlier DiffusionBlocks problems, provided for the later problems of the chapter.

Released to students with the chapter, cut to what each notebook imports (403 gets the log-normal
pieces of 401; 405 gets 400's Euler step, 401's boundaries and routing, 403's block sampler, 404's
preconditioning and 402's AdaLN-Zero pieces for its toy network). The functions follow the
contracts of the problems that introduce them (shapes, dtypes, errors).
Reading order 400 -> 401 -> 403 -> 404 -> 402 -> 405.

Constants (EDM, Karras et al. 2022, Table 1): sigma_data = 0.5, P_mean = -1.2, P_std = 1.2,
sigma in [0.002, 80]. Block k is network order: block 0 runs first and owns the noisiest range.
"""
from __future__ import annotations

import math
from statistics import NormalDist
from typing import Callable, Sequence

import numpy as np

from mlpapers.arguments import generator, integer, real, real_array, require

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


# --- problem 400: a residual layer is an Euler step ---------------------------------------------

def pfode_euler_step(x, denoised, sigma: float, sigma_next: float) -> np.ndarray:
    """Problem 400. x + (sigma_next - sigma) * (x - D) / sigma (EDM Eq. 1 + 3 with sigma(t) = t)."""
    x = real_array(x, "x")
    d = real_array(denoised, "denoised")
    _same_shape(x, d, "x", "denoised")
    sigma, sigma_next = _sigma_pair(sigma, sigma_next)
    return x + (sigma_next - sigma) * (x - d) / sigma


def residual_branch(x, denoised, sigma: float, sigma_next: float) -> np.ndarray:
    """Problem 400. f(x) = (1 - sigma_next / sigma) * (D - x), so that x + f(x) is the Euler step."""
    x = real_array(x, "x")
    d = real_array(denoised, "denoised")
    _same_shape(x, d, "x", "denoised")
    sigma, sigma_next = _sigma_pair(sigma, sigma_next)
    return (1.0 - sigma_next / sigma) * (d - x)


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


# --- problem 401: block boundaries --------------------------------------------------------------

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


# --- problem 403: noise levels for one block ----------------------------------------------------

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


# --- problem 404: EDM preconditioning and loss weight -------------------------------------------

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


def edm_loss_weight(sigma, sigma_data: float = SIGMA_DATA) -> np.ndarray:
    """Problem 404. lambda(sigma) = (sigma^2 + sigma_data^2) / (sigma sigma_data)^2 = 1 / c_out^2."""
    s = _positive_sigmas(sigma)
    sd = _sigma_data(sigma_data)
    return (s * s + sd * sd) / (s * sd) ** 2


def _batch_sigma(sigma, n: int) -> np.ndarray:
    s = _positive_sigmas(sigma)
    require(s.shape == (n,), "sigma", f"of shape ({n},), one level per sample", f"shape {s.shape}")
    return s


def edm_denoise(raw_output, x_noisy, sigma, sigma_data: float = SIGMA_DATA) -> np.ndarray:
    """Problem 404. D = c_skip x + c_out F, sigma (N,) broadcast over each sample's features."""
    F = real_array(raw_output, "raw_output")
    x = real_array(x_noisy, "x_noisy")
    _same_shape(F, x, "raw_output", "x_noisy")
    require(x.ndim >= 1, "x_noisy", "at least 1-D (N, ...)", f"shape {x.shape}")
    s = _batch_sigma(sigma, x.shape[0])
    c_skip, c_out, _, _ = edm_precond(s, sigma_data)
    col = (-1,) + (1,) * (x.ndim - 1)
    return c_skip.reshape(col) * x + c_out.reshape(col) * F


def edm_loss(denoised, clean, sigma, sigma_data: float = SIGMA_DATA) -> float:
    """Problem 404. mean_i lambda(sigma_i) mean_j (D_ij - y_ij)^2, a Python float."""
    D = real_array(denoised, "denoised")
    y = real_array(clean, "clean")
    _same_shape(D, y, "denoised", "clean")
    require(D.ndim >= 1 and D.shape[0] >= 1, "denoised", "of shape (N, ...) with N >= 1", f"shape {D.shape}")
    s = _batch_sigma(sigma, D.shape[0])
    per_sample = ((D - y) ** 2).reshape(D.shape[0], -1).mean(axis=1)
    return float(np.mean(edm_loss_weight(s, sigma_data) * per_sample))


# --- problem 402: AdaLN-Zero conditioning (NumPy) ------------------------------------------------

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


# --- problem 405: the capstone (torch) ----------------------------------------------------------

def inference_sigmas(num_steps: int, sigma_min: float = SIGMA_MIN, sigma_max: float = SIGMA_MAX,
                     p_mean: float = P_MEAN, p_std: float = P_STD) -> np.ndarray:
    """Problem 405. num_steps levels equally spaced in the log-normal CDF, sigma_max down to sigma_min exactly."""
    n = integer(num_steps, "num_steps", low=2)
    lo = real(sigma_min, "sigma_min")
    hi = real(sigma_max, "sigma_max")
    require(0 < lo < hi, "sigma_min and sigma_max", "0 < sigma_min < sigma_max", (lo, hi))
    f_lo, f_hi = lognormal_cdf([lo, hi], p_mean, p_std)
    out = np.empty(n)
    out[0], out[-1] = hi, lo
    if n > 2:
        out[1:-1] = lognormal_ppf(f_hi + (f_lo - f_hi) * np.arange(1, n - 1) / (n - 1), p_mean, p_std)
    return out


def _tensor(x, name: str):
    import torch
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(x).__name__}")
    require(x.dtype.is_floating_point, name, "a floating-point tensor", x.dtype)
    return x


def _callable(fn, name: str) -> None:
    if not callable(fn):
        raise TypeError(f"{name} must be callable, got {type(fn).__name__}")


def _sigma_column(sigma, x):
    """sigma (float or (N,) tensor) as an (N,) tensor on x's device and dtype, checked > 0."""
    import torch
    n = x.shape[0]
    if isinstance(sigma, torch.Tensor):
        s = sigma.to(device=x.device, dtype=x.dtype)
        if s.ndim == 0:
            s = s.expand(n)
        require(tuple(s.shape) == (n,), "sigma", f"a float or a tensor of shape ({n},)", tuple(s.shape))
    else:
        s = torch.full((n,), real(sigma, "sigma"), device=x.device, dtype=x.dtype)
    require(bool((s > 0).all()), "sigma", "> 0")
    return s


def precond_denoise(block_fn, x, sigma, sigma_data: float = SIGMA_DATA):
    """Problem 405. D = c_skip x + c_out F(c_in x, c_noise), coefficients on x's device and dtype."""
    _callable(block_fn, "block_fn")
    x = _tensor(x, "x")
    require(x.ndim >= 1 and x.shape[0] >= 1, "x", "of shape (N, ...)", tuple(x.shape))
    s = _sigma_column(sigma, x)
    sd = _sigma_data(sigma_data)
    total = s * s + sd * sd
    col = (-1,) + (1,) * (x.ndim - 1)
    c_skip, c_out, c_in = (sd * sd / total).reshape(col), (s * sd / total.sqrt()).reshape(col), total.rsqrt().reshape(col)
    F = block_fn(c_in * x, 0.25 * s.log())
    require(tuple(F.shape) == tuple(x.shape), "block_fn's output", f"shaped like x {tuple(x.shape)}", tuple(F.shape))
    return c_skip * x + c_out * F


def diffusionblocks_sample(block_fns: Sequence[Callable], boundaries, x_init, sigmas,
                           sigma_data: float = SIGMA_DATA):
    """Problem 405. Euler sampler handing each step to the block owning sigma_i, then a final denoise."""
    import torch
    b = _check_boundaries(boundaries)
    block_fns = list(block_fns)
    require(len(block_fns) == b.size - 1, "block_fns", f"one per block ({b.size - 1})", len(block_fns))
    for k, fn in enumerate(block_fns):
        _callable(fn, f"block_fns[{k}]")
    x = _tensor(x_init, "x_init")
    s = real_array(sigmas, "sigmas", ndim=1)
    require(s.size >= 2 and bool(np.all(s > 0)) and bool(np.all(np.diff(s) < 0)), "sigmas",
            "positive and strictly decreasing, length >= 2")
    owner = assign_block(s, b)
    with torch.no_grad():
        x = x.clone()
        for i in range(s.size - 1):
            D = precond_denoise(block_fns[owner[i]], x, float(s[i]), sigma_data)
            x = x + (float(s[i + 1]) - float(s[i])) * (x - D) / float(s[i])
        return precond_denoise(block_fns[owner[-1]], x, float(s[-1]), sigma_data)


def blockwise_loss(block_fn, y, sigma, noise, sigma_data: float = SIGMA_DATA):
    """Problem 405. lambda-weighted EDM loss of one block on x = y + sigma noise (feature mean, batch mean)."""
    y = _tensor(y, "y")
    noise = _tensor(noise, "noise")
    sigma = _tensor(sigma, "sigma")
    require(y.ndim >= 1 and y.shape[0] >= 1, "y", "of shape (N, ...)", tuple(y.shape))
    require(tuple(noise.shape) == tuple(y.shape), "noise", f"shaped like y {tuple(y.shape)}", tuple(noise.shape))
    require(tuple(sigma.shape) == (y.shape[0],), "sigma", f"of shape ({y.shape[0]},)", tuple(sigma.shape))
    sd = _sigma_data(sigma_data)
    col = (-1,) + (1,) * (y.ndim - 1)
    x = y + sigma.reshape(col) * noise
    D = precond_denoise(block_fn, x, sigma, sd)
    weight = (sigma * sigma + sd * sd) / (sigma * sd) ** 2
    return (weight * ((D - y) ** 2).reshape(y.shape[0], -1).mean(dim=1)).mean()


def training_memory_bytes(num_layers: int, num_blocks: int, param_bytes_per_layer: int,
                          act_bytes_per_layer: int) -> tuple[int, int]:
    """Problem 405. ((4P + A) L, (4P + A) L / B) bytes with Adam: end-to-end against one block."""
    L = integer(num_layers, "num_layers", low=1)
    B = integer(num_blocks, "num_blocks", low=1)
    require(L % B == 0, "num_layers", f"divisible by num_blocks = {B}", L)
    P = integer(param_bytes_per_layer, "param_bytes_per_layer", low=0)
    A = integer(act_bytes_per_layer, "act_bytes_per_layer", low=0)
    per_layer = 4 * P + A
    return per_layer * L, per_layer * L // B

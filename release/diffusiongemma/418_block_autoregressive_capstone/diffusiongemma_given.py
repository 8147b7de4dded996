"""What problem 418 is given from the DiffusionGemma chapter.

Problems build on each other: once an earlier problem is done, later ones may rely on it
without trusting your own version. This module holds the reference answers that
problem 418 uses, and nothing more:

* ``apply_temperature``: your answer to problem 416
* ``denoise_canvas``: your answer to problem 415
* ``denoise_step``: your answer to problem 414
* ``sample_tokens``: a helper
* ``should_stop``: a helper
* ``temperature_schedule``: your answer to problem 416
"""
from __future__ import annotations

import numbers
import numpy as np


__all__ = ["apply_temperature", "denoise_canvas", "denoise_step", "sample_tokens", "should_stop", "temperature_schedule"]


def _check_rng(rng):
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a np.random.Generator, got {type(rng).__name__}")


def _check_int(value, name, minimum=None):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return int(value)


def _check_real(value, name):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    return value


def _check_logits(logits, name="logits"):
    z = np.asarray(logits)
    if z.dtype.kind not in "biuf" or z.dtype.kind == "b":
        raise TypeError(f"{name} must be a real array, got dtype {z.dtype}")
    z = z.astype(np.float64)
    if z.ndim < 1 or z.shape[-1] == 0:
        raise ValueError(f"{name} must have a non-empty vocabulary (last) axis, got shape {z.shape}")
    if np.isnan(z).any() or np.isposinf(z).any():
        raise ValueError(f"{name} must not contain NaN or +inf")
    if np.isneginf(z).all(axis=-1).any():
        raise ValueError(f"{name} has a row that is entirely -inf")
    return z


def _log_softmax(z):
    m = z.max(axis=-1, keepdims=True)                        # finite: no row is all -inf
    shifted = z - m
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def token_entropy(logits):
    """Entropy in nats of softmax(logits) along the last axis, (..., V) -> (...) (problem 414)."""
    z = _check_logits(logits)
    logp = _log_softmax(z)
    p = np.exp(logp)
    # -inf logits: p = 0 exactly, and 0 * log 0 := 0 (avoid 0 * -inf = NaN)
    plogp = np.where(p > 0, p * np.where(np.isfinite(logp), logp, 0.0), 0.0)
    return 0.0 - plogp.sum(axis=-1)                          # 0.0 - 0.0 avoids printing -0.0


def entropy_bounded_accept(entropy, gamma):
    """EB acceptance, (..., L) -> bool (..., L) (problem 414).

    Stable ascending sort; sorted index k accepted iff cumsum(sorted)[k] - sorted[k] <= gamma.
    """
    h = np.asarray(entropy)
    if h.dtype.kind not in "iuf":
        raise TypeError(f"entropy must be a real array, got dtype {h.dtype}")
    h = h.astype(np.float64)
    if h.ndim < 1:
        raise ValueError("entropy must have at least one axis (..., L)")
    if not np.all(np.isfinite(h)):
        raise ValueError("entropy must be finite (no NaN or inf)")
    gamma = _check_real(gamma, "gamma")
    if gamma < 0:
        raise ValueError(f"gamma must be >= 0, got {gamma}")
    order = np.argsort(h, axis=-1, kind="stable")
    hs = np.take_along_axis(h, order, axis=-1)
    ok_sorted = (np.cumsum(hs, axis=-1) - hs) <= gamma
    accepted = np.empty_like(ok_sorted)
    np.put_along_axis(accepted, order, ok_sorted, axis=-1)
    return accepted


def sample_tokens(logits, rng):
    """Inverse-CDF categorical sample along the last axis, (..., V) -> int64 (...) (problem 414).

    The only draw: u = rng.random(logits.shape[:-1]).
    """
    z = _check_logits(logits)
    _check_rng(rng)
    p = np.exp(_log_softmax(z))
    c = np.cumsum(p, axis=-1)
    c = c / c[..., -1:]
    u = rng.random(z.shape[:-1])
    return (c <= u[..., None]).sum(axis=-1).astype(np.int64)


def denoise_step(logits, gamma, rng):
    """One sampler step on shaped logits (B, L, V) (problem 414).

    sampled = sample_tokens (draw 1); accepted = EB rule on token_entropy; noise =
    rng.integers(0, V, (B, L)) (draw 2); next = where(accepted, sampled, noise).
    Returns (next int64 (B, L), accepted bool (B, L), sampled int64 (B, L)).
    """
    z = _check_logits(logits)
    if z.ndim != 3:
        raise ValueError(f"logits must have shape (B, L, V), got {z.shape}")
    _check_rng(rng)
    B, L, V = z.shape
    sampled = sample_tokens(z, rng)
    accepted = entropy_bounded_accept(token_entropy(z), gamma)
    noise = rng.integers(0, V, size=(B, L))
    return np.where(accepted, sampled, noise).astype(np.int64), accepted, sampled


def is_stable(argmax_history, window):
    """bool (B,): the last window + 1 argmax canvases of history (S, B, L) agree (problem 415)."""
    h = np.asarray(argmax_history)
    if h.dtype.kind not in "iu":
        raise TypeError(f"argmax_history must be an integer array, got dtype {h.dtype}")
    if h.ndim != 3 or h.shape[0] == 0:
        raise ValueError(f"argmax_history must have shape (S, B, L) with S >= 1, got {h.shape}")
    w = _check_int(window, "window", 0)
    S, B = h.shape[:2]
    if w == 0:
        return np.ones(B, dtype=bool)
    if S < w + 1:
        return np.zeros(B, dtype=bool)
    recent = h[-(w + 1):]
    return np.all(recent == recent[-1], axis=(0, 2))


def is_confident(logits, threshold):
    """bool (B,): mean token entropy of logits (B, L, V) is <= threshold (problem 415)."""
    z = _check_logits(logits)
    if z.ndim != 3:
        raise ValueError(f"logits must have shape (B, L, V), got {z.shape}")
    tau = _check_real(threshold, "threshold")
    if tau < 0:
        raise ValueError(f"threshold must be >= 0, got {tau}")
    return token_entropy(z).mean(axis=-1) <= tau


def should_stop(argmax_history, logits, stability_window=1, confidence_threshold=0.005):
    """bool (B,): is_stable & is_confident (problem 415)."""
    stable = is_stable(argmax_history, stability_window)
    confident = is_confident(logits, confidence_threshold)
    if np.asarray(argmax_history).shape[1:] != np.asarray(logits).shape[:2]:
        raise ValueError("argmax_history (S, B, L) and logits (B, L, V) disagree on (B, L)")
    return stable & confident


def denoise_canvas(logits_fn, init_canvas, *, max_steps, gamma, rng, stability_window=1,
                   confidence_threshold=0.005):
    """Run denoise_step until every row is stable and confident, at most max_steps (problem 415).

    logits_fn(canvas int64 (B, L), step int) -> shaped logits (B, L, V).
    Returns dict: tokens (argmax canvas of the last executed step, int64 (B, L)), steps, converged,
    and histories 'canvases', 'argmax', 'accepted', 'sampled', 'entropy' of shape (steps, B, L).
    """
    if not callable(logits_fn):
        raise TypeError("logits_fn must be callable")
    canvas = np.asarray(init_canvas)
    if canvas.dtype.kind not in "iu":
        raise TypeError(f"init_canvas must be an integer array, got dtype {canvas.dtype}")
    if canvas.ndim != 2:
        raise ValueError(f"init_canvas must have shape (B, L), got {canvas.shape}")
    canvas = canvas.astype(np.int64)                         # a copy: the input is never touched
    max_steps = _check_int(max_steps, "max_steps", 1)
    _check_int(stability_window, "stability_window", 0)
    _check_rng(rng)
    B, L = canvas.shape
    keys = ("canvases", "argmax", "accepted", "sampled", "entropy")
    hist = {k: [] for k in keys}
    converged = False
    for i in range(max_steps):
        logits = _check_logits(logits_fn(canvas, i))
        if logits.ndim != 3 or logits.shape[:2] != (B, L):
            raise ValueError(f"logits_fn must return logits of shape ({B}, {L}, V), got {logits.shape}")
        if i == 0 and (canvas.min() < 0 or canvas.max() >= logits.shape[-1]):
            raise ValueError(f"init_canvas tokens must lie in [0, {logits.shape[-1]})")
        a = np.argmax(logits, axis=-1).astype(np.int64)
        nxt, accepted, sampled = denoise_step(logits, gamma, rng)
        for k, v in zip(keys, (canvas, a, accepted, sampled, token_entropy(logits))):
            hist[k].append(v)
        if should_stop(np.stack(hist["argmax"]), logits, stability_window, confidence_threshold).all():
            converged = True
            break
        canvas = nxt
    out = {k: np.stack(v) for k, v in hist.items()}
    out.update(tokens=out["argmax"][-1].copy(), steps=len(hist["argmax"]), converged=converged)
    return out


def _real_416(value, name):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    return value


def temperature_schedule(num_steps, t_max=0.8, t_min=0.4, exponent=1.0):
    """T_i = t_min + (t_max - t_min) * (1 - (i / N) ** exponent), i = 0..N-1 (problem 416).

    Returns float64 (num_steps,). T_0 = t_max; the last step is not at t_min.
    """
    if isinstance(num_steps, (bool, np.bool_)) or not isinstance(num_steps, numbers.Integral):
        raise TypeError(f"num_steps must be an int, got {type(num_steps).__name__}")
    if num_steps < 1:
        raise ValueError(f"num_steps must be >= 1, got {num_steps}")
    t_max = _real_416(t_max, "t_max")
    t_min = _real_416(t_min, "t_min")
    exponent = _real_416(exponent, "exponent")
    if t_min <= 0:
        raise ValueError(f"t_min must be > 0, got {t_min}")
    if t_max < t_min:
        raise ValueError(f"t_max must be >= t_min, got t_max={t_max} < t_min={t_min}")
    if exponent <= 0:
        raise ValueError(f"exponent must be > 0, got {exponent}")
    noise_left = 1.0 - (np.arange(num_steps) / num_steps) ** exponent   # s_i = 1 - (i/N)^kappa
    return t_min + (t_max - t_min) * noise_left


def apply_temperature(logits, temperature):
    """A new float64 array logits / temperature; -inf stays -inf (problem 416)."""
    temperature = _real_416(temperature, "temperature")
    if temperature <= 0:
        raise ValueError(f"temperature must be > 0, got {temperature}")
    z = np.asarray(logits)
    if z.dtype.kind not in "iuf":
        raise TypeError(f"logits must be a real array, got dtype {z.dtype}")
    if np.isnan(z).any() or np.isposinf(z).any():
        raise ValueError("logits must not contain NaN or +inf")
    return z.astype(np.float64) / temperature

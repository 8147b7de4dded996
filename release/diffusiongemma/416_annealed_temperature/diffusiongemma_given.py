"""What problem 416 is given from the DiffusionGemma chapter.

Problems build on each other: once an earlier problem is done, later ones may rely on it
without trusting your own version. This module holds the reference answers that
problem 416 uses, and nothing more:

* ``denoise_step``: your answer to problem 414
* ``entropy_bounded_accept``: your answer to problem 414
* ``token_entropy``: your answer to problem 414
"""
from __future__ import annotations

import numbers
import numpy as np


__all__ = ["denoise_step", "entropy_bounded_accept", "token_entropy"]


def _check_rng(rng):
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a np.random.Generator, got {type(rng).__name__}")


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

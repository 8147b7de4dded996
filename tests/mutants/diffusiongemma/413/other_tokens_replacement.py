"""Mistake: a corrupted token is replaced by one of the V - 1 OTHER tokens, so corrupted always means
changed: off-diagonal mass (1 - alpha)/(V - 1), changed fraction t instead of t(1 - 1/V)."""
import numpy as np


def forward_marginal(x0, t, vocab_size, process="uniform"):
    x0 = np.asarray(x0)
    V = vocab_size
    if process == "mask":
        return (1 - t) * np.eye(V + 1)[x0] + t * np.eye(V + 1)[V]
    off = t / (V - 1) if V > 1 else 0.0
    return (1 - t) * np.eye(V)[x0] + off * (1 - np.eye(V)[x0])


def corrupt(x0, t, vocab_size, rng, process="uniform"):
    x0 = np.asarray(x0)
    V = vocab_size
    tb = np.asarray(t, dtype=float)
    if tb.ndim == 1:
        tb = tb[:, None]
    corrupted = rng.random(x0.shape) < tb
    if process == "mask":
        return np.where(corrupted, V, x0).astype(np.int64), corrupted
    noise = (x0 + rng.integers(1, V, size=x0.shape)) % V
    return np.where(corrupted, noise, x0).astype(np.int64), corrupted


def expected_changed_fraction(t, vocab_size, process="uniform"):
    return float(t)

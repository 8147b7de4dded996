"""Mistake: alpha and t swapped -- t is used as the keep probability, so t = 0 gives pure noise."""
import numpy as np


def forward_marginal(x0, t, vocab_size, process="uniform"):
    x0 = np.asarray(x0)
    V = vocab_size
    alpha = t
    K = V if process == "uniform" else V + 1
    pi = np.full(K, 1.0 / V) if process == "uniform" else np.eye(K)[V]
    return alpha * np.eye(K)[x0] + (1 - alpha) * pi


def corrupt(x0, t, vocab_size, rng, process="uniform"):
    x0 = np.asarray(x0)
    V = vocab_size
    tb = np.asarray(t, dtype=float)
    if tb.ndim == 1:
        tb = tb[:, None]
    corrupted = rng.random(x0.shape) < 1 - tb
    noise = rng.integers(0, V, size=x0.shape) if process == "uniform" else V
    return np.where(corrupted, noise, x0).astype(np.int64), corrupted

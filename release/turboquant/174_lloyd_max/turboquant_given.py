"""What problem 174 is given from the TurboQuant chapter.

Problems build on each other: once an earlier problem is done, later ones may rely on it
without trusting your own version. This module holds the reference answers that
problem 174 uses, and nothing more:

* ``sphere_coordinate_pdf``: your answer to problem 173
"""
from __future__ import annotations

import functools
import math
from typing import Any
import numpy as np


__all__ = ["sphere_coordinate_pdf"]


def _check_int(value: Any, name: str, low: int | None = None, high: int | None = None) -> int:
    """Return ``value`` as an int; TypeError if it is not an integer (bools rejected), ValueError if out of range."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__}")
    value = int(value)
    if low is not None and value < low:
        raise ValueError(f"{name} must be >= {low}, got {value}")
    if high is not None and value > high:
        raise ValueError(f"{name} must be <= {high}, got {value}")
    return value


def _real_array(x: Any, name: str) -> np.ndarray:
    """``np.asarray(x, float64)`` with a TypeError for complex, object or string input."""
    arr = np.asarray(x)
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{name} must hold real numbers, got dtype {arr.dtype}")
    return arr.astype(np.float64)


@functools.lru_cache(maxsize=None)
def _log_norm(d: int) -> float:
    """log of Gamma(d/2) / (sqrt(pi) Gamma((d-1)/2)), the Lemma-1 normaliser (lgamma: no overflow)."""
    return math.lgamma(d / 2) - 0.5 * math.log(math.pi) - math.lgamma((d - 1) / 2)


def _pdf(x: np.ndarray, d: int) -> np.ndarray:
    """Lemma-1 density on a float64 array (no validation); 0 for |x| >= 1."""
    inside = np.abs(x) < 1
    xs = np.where(inside, x, 0.0)
    vals = np.exp(_log_norm(d) + 0.5 * (d - 3) * np.log1p(-xs * xs))
    return np.where(inside, vals, 0.0)


def sphere_coordinate_pdf(x: Any, d: int) -> np.ndarray:
    """Density of one coordinate of a uniform point on S^{d-1} (Lemma 1).

    ``f_d(x) = Gamma(d/2) / (sqrt(pi) Gamma((d-1)/2)) (1 - x^2)^((d-3)/2)`` for |x| < 1, else 0.

    Args:
        x: array-like of any shape.
        d: dimension, an integer >= 2.
    Returns:
        float64 array with the shape of ``np.asarray(x)`` (0-d for a scalar).
    """
    d = _check_int(d, "d", low=2)
    return _pdf(_real_array(x, "x"), d)

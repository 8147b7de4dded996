"""What problem 184 is given from the Gemma 4 chapter.

Problems build on each other: once an earlier problem is done, later ones may rely on it
without trusting your own version. This module holds the reference answers that
problem 184 uses, and nothing more:

* ``gelu_tanh``: a helper
* ``rms_norm``: your answer to problem 182
"""
from __future__ import annotations

import math
import numpy as np
from mlpapers.arguments import choice, int_array, integer, real, real_array, require


__all__ = ["gelu_tanh", "rms_norm"]


def rms_norm(x, weight=None, eps: float = 1e-6) -> np.ndarray:
    """Problem 182. x / sqrt(mean(x^2) + eps) * weight over the last axis (weight None: no scale).

    Computes in float64; returns x's float dtype (float64 for integer input).
    """
    arr = np.asarray(x)
    if arr.dtype.kind not in "biuf" or arr.dtype.kind == "b":
        raise TypeError(f"x must hold real numbers, got dtype {arr.dtype}")
    require(arr.ndim >= 1 and arr.shape[-1] >= 1, "x", "an array with a non-empty last axis", f"shape {arr.shape}")
    eps = real(eps, "eps", low=0.0)
    out_dtype = arr.dtype if arr.dtype.kind == "f" else np.dtype(np.float64)
    x64 = arr.astype(np.float64)
    out = x64 / np.sqrt(np.mean(x64 * x64, axis=-1, keepdims=True) + eps)
    if weight is not None:
        w = real_array(weight, "weight", shape=(arr.shape[-1],))
        out = out * w
    return out.astype(out_dtype, copy=False)


def gelu_tanh(x) -> np.ndarray:
    """GELU, tanh approximation: x/2 (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))."""
    x = np.asarray(x, dtype=np.float64)
    return 0.5 * x * (1.0 + np.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3)))

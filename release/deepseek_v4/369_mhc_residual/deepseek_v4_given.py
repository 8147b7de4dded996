"""What problem 369 is given from the DeepSeek V4 chapter.

Problems build on each other: once an earlier problem is done, later ones may rely on it
without trusting your own version. This module holds the reference answers that
problem 369 uses, and nothing more:

* ``sinkhorn_knopp``: your answer to problem 360
"""
from __future__ import annotations

import numpy as np
from mlpapers.arguments import generator, int_array, integer, real, real_array, require


__all__ = ["sinkhorn_knopp"]


def _finite_real(x, name: str, **kw) -> np.ndarray:
    arr = np.asarray(x)
    if arr.dtype.kind not in "iuf":
        raise TypeError(f"{name} must hold real numbers, got dtype {arr.dtype}")
    return real_array(arr, name, **kw)


def sinkhorn_knopp(logits, n_iters: int = 20) -> np.ndarray:
    """Problem 360. M0 = exp(logits - max per matrix); n_iters times: columns, then rows; (..., n, n)."""
    L = _finite_real(logits, "logits")
    require(L.ndim >= 2 and L.shape[-1] == L.shape[-2] and L.shape[-1] >= 1, "logits",
            "of shape (..., n, n) with n >= 1", f"shape {L.shape}")
    n_iters = integer(n_iters, "n_iters", low=1)
    M = np.exp(L - L.max(axis=(-2, -1), keepdims=True))
    for _ in range(n_iters):
        M = M / M.sum(axis=-2, keepdims=True)
        M = M / M.sum(axis=-1, keepdims=True)
    return M

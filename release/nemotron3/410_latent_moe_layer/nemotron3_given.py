"""What problem 410 is given from the Nemotron 3 chapter.

Problems build on each other: once an earlier problem is done, later ones may rely on it
without trusting your own version. This module holds the reference answers that
problem 410 uses, and nothing more:

* ``route_tokens``: your answer to problem 409
"""
from __future__ import annotations

import numpy as np
from mlpapers.arguments import generator, int_array, integer, real, real_array, require


__all__ = ["route_tokens"]


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return np.exp(-np.logaddexp(0.0, -z))


def route_tokens(x, w_router, e_bias, top_k: int, routed_scaling_factor: float = 1.0,
                 norm_topk_prob: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Problem 409. Top-k of sigmoid(x W^T) + bias (choice only); weights from the unbiased scores."""
    x = real_array(x, "x", ndim=2)
    w = real_array(w_router, "w_router", ndim=2)
    require(w.shape[1] == x.shape[1], "w_router", f"of shape (N, {x.shape[1]})", f"shape {w.shape}")
    N = w.shape[0]
    bias = real_array(e_bias, "e_bias", shape=(N,))
    K = integer(top_k, "top_k", low=1, high=N)
    rho = real(routed_scaling_factor, "routed_scaling_factor")
    require(rho > 0, "routed_scaling_factor", "> 0", rho)
    if not isinstance(norm_topk_prob, (bool, np.bool_)):
        raise TypeError(f"norm_topk_prob must be a bool, got {type(norm_topk_prob).__name__}")
    scores = _sigmoid(x @ w.T)
    idx = np.argsort(-(scores + bias), axis=1, kind="stable")[:, :K].astype(np.int64)
    chosen = np.take_along_axis(scores, idx, axis=1)
    if norm_topk_prob:
        chosen = chosen / (chosen.sum(axis=1, keepdims=True) + 1e-20)
    return idx, rho * chosen

"""The gate weights are taken from the biased scores s + b instead of the unbiased s."""
import numpy as np


def route_tokens(x, w_router, e_bias, top_k, routed_scaling_factor=1.0, norm_topk_prob=True):
    x = np.asarray(x, dtype=np.float64)
    w_router = np.asarray(w_router, dtype=np.float64)
    e_bias = np.asarray(e_bias, dtype=np.float64)
    scores = np.exp(-np.logaddexp(0.0, -(x @ w_router.T)))
    biased = scores + e_bias
    indices = np.argsort(-biased, axis=1, kind="stable")[:, :top_k].astype(np.int64)
    chosen = np.take_along_axis(biased, indices, axis=1)
    if norm_topk_prob:
        chosen = chosen / (chosen.sum(axis=1, keepdims=True) + 1e-20)
    return indices, routed_scaling_factor * chosen

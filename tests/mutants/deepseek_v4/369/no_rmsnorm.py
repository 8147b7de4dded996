"""Forgets the RMSNorm of vec(X): the mappings then depend on the scale of X."""
import numpy as np

from deepseek_v4_given import sinkhorn_knopp
from mlpapers.arguments import integer, real, real_array, require


def mhc_mappings(X, W_pre, W_post, W_res, S_pre, S_post, S_res, alpha_pre, alpha_post, alpha_res, *,
                 constrained=True, n_iters=20, norm_eps=1e-6):
    """The read, mix and write maps (A, B, C) of one mHC site, equations (2)-(4).

    Args:
        X: (..., n, d) residual state(s), one row per stream.
        W_pre, W_post: (n*d, n).  W_res: (n*d, n*n).  S_pre, S_post: (n,).  S_res: (n, n).
        alpha_pre, alpha_post, alpha_res: real scalars.
        constrained: True for mHC (sigmoid, Sinkhorn, 2 sigmoid); False returns the raw (A~, B~, C~).
        n_iters: Sinkhorn sweeps.  norm_eps: the epsilon of the normalisation (2), > 0.

    Returns:
        (A (..., n), B (..., n, n), C (..., n)), float64.

    Raises:
        ValueError: shapes inconsistent with X's (n, d), non-finite input, norm_eps <= 0, n_iters < 1.
        TypeError: non-real arrays or alphas, constrained not a bool, n_iters not an integer.
    """
    X = real_array(X, "X")
    require(X.ndim >= 2 and min(X.shape[-2:]) >= 1, "X", "of shape (..., n, d) with n, d >= 1", f"shape {X.shape}")
    n, d = X.shape[-2:]
    W_pre = real_array(W_pre, "W_pre", shape=(n * d, n))
    W_post = real_array(W_post, "W_post", shape=(n * d, n))
    W_res = real_array(W_res, "W_res", shape=(n * d, n * n))
    S_pre = real_array(S_pre, "S_pre", shape=(n,))
    S_post = real_array(S_post, "S_post", shape=(n,))
    S_res = real_array(S_res, "S_res", shape=(n, n))
    alpha_pre, alpha_post, alpha_res = (real(alpha_pre, "alpha_pre"), real(alpha_post, "alpha_post"),
                                        real(alpha_res, "alpha_res"))
    if not isinstance(constrained, bool):
        raise TypeError(f"constrained must be a bool, got {type(constrained).__name__}")
    n_iters = integer(n_iters, "n_iters", low=1)
    norm_eps = real(norm_eps, "norm_eps")
    require(norm_eps > 0, "norm_eps", "> 0", norm_eps)
    lead = X.shape[:-2]
    x = X.reshape(lead + (n * d,))                                       # vec(X), row-major: stream 1 first
    x_hat = x                                                            # mistake: no normalisation (2)
    A = alpha_pre * (x_hat @ W_pre) + S_pre                              # (3), (..., n)
    B = alpha_res * (x_hat @ W_res).reshape(lead + (n, n)) + S_res       # Mat: row-major, (..., n, n)
    C = alpha_post * (x_hat @ W_post) + S_post                           # (..., n)
    if not constrained:
        return A, B, C
    sigmoid = lambda z: np.exp(-np.logaddexp(0.0, -z))                   # no overflow for large |z|
    return sigmoid(A), sinkhorn_knopp(B, n_iters), 2.0 * sigmoid(C)      # (4)

"""Mixes the streams with B^T instead of B (the kernel-convention transpose applied once too often)."""
import numpy as np

from deepseek_v4_given import sinkhorn_knopp
from mlpapers.arguments import integer, real, real_array, require


def mhc_layer(X, F, A, B, C):
    """One residual site, equation (1): X_next = B X + C F(A X).

    Args:
        X: (..., n, d).  F: callable mapping (..., d) -> (..., d) (the sub-layer).
        A: (..., n) read weights.  B: (..., n, n) mixing matrix.  C: (..., n) write weights.

    Returns:
        (..., n, d) float64.

    Raises:
        TypeError: F not callable, non-real arrays.  ValueError: A, B, C not matching X's shape, or F's
        output not of shape (..., d).
    """
    X = real_array(X, "X")
    require(X.ndim >= 2 and min(X.shape[-2:]) >= 1, "X", "of shape (..., n, d) with n, d >= 1", f"shape {X.shape}")
    if not callable(F):
        raise TypeError(f"F must be callable, got {type(F).__name__}")
    lead, (n, d) = X.shape[:-2], X.shape[-2:]
    A = real_array(A, "A", shape=lead + (n,))
    B = real_array(B, "B", shape=lead + (n, n))
    C = real_array(C, "C", shape=lead + (n,))
    h = np.einsum("...i,...id->...d", A, X)                               # A X: the sub-layer input (..., d)
    out = np.asarray(F(h), dtype=np.float64)
    require(out.shape == h.shape, "F", f"to return shape {h.shape}", f"shape {out.shape}")
    return np.swapaxes(B, -1, -2) @ X + C[..., :, None] * out[..., None, :]                   # (..., n, d)

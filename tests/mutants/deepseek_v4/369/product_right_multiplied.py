"""Accumulates the product as P @ B_l (oldest layer last) instead of B_l @ P."""
import numpy as np

from deepseek_v4_given import sinkhorn_knopp
from mlpapers.arguments import integer, real, real_array, require


def gain_curve(B_stack):
    """Forward and backward gain of P_l = B_l ... B_0 for every depth, equation (5).

    Args:
        B_stack: (L, n, n), layer 0 first.

    Returns:
        (L, 2) float64: row l = (max_i sum_j |P_l[i, j]|, max_j sum_i |P_l[i, j]|).

    Raises:
        ValueError: B_stack not of shape (L, n, n) with L, n >= 1, or not finite.  TypeError: not real.
    """
    B_stack = real_array(B_stack, "B_stack", ndim=3)
    require(B_stack.shape[0] >= 1 and B_stack.shape[1] == B_stack.shape[2] >= 1, "B_stack",
            "of shape (L, n, n) with L, n >= 1", f"shape {B_stack.shape}")
    P = np.eye(B_stack.shape[1])
    gains = np.empty((B_stack.shape[0], 2))
    for l, B_l in enumerate(B_stack):
        P = P @ B_l                                                      # mistake: multiplies on the right
        absP = np.abs(P)
        gains[l] = absP.sum(axis=1).max(), absP.sum(axis=0).max()        # forward (rows), backward (columns)
    return gains

"""Mistake: apply the signs to the rows of Q and the columns of R (D Q, R D) instead of Q D, D R."""
import numpy as np


def qr_sign_fix(Q, R):
    Q = np.asarray(Q, dtype=float)
    R = np.asarray(R, dtype=float)
    if Q.ndim != 2 or Q.shape[0] != Q.shape[1]:
        raise ValueError("Q must be square")
    if R.shape != Q.shape:
        raise ValueError("R must match Q")
    s = np.where(np.diag(R) >= 0, 1.0, -1.0)
    return s[:, None] * Q, R * s[None, :]

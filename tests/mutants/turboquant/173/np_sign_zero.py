"""Mistake: D = diag(np.sign(diag R)), which maps a zero pivot to 0 and wipes out a column."""
import numpy as np


def qr_sign_fix(Q, R):
    Q = np.asarray(Q, dtype=float)
    R = np.asarray(R, dtype=float)
    if Q.ndim != 2 or Q.shape[0] != Q.shape[1]:
        raise ValueError("Q must be square")
    if R.shape != Q.shape:
        raise ValueError("R must match Q")
    s = np.sign(np.diag(R))
    return Q * s[None, :], s[:, None] * R

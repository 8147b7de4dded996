"""Exact zero-order-hold input B_bar = (e^(dt A) - 1) / A * B instead of the code's Euler-B dt * B."""
import numpy as np


def ssd_recurrent(x, dt, A, B, C, D=None, initial_state=None):
    x, dt, A = np.array(x, float), np.array(dt, float), np.array(A, float)
    B, C = np.array(B, float), np.array(C, float)
    L, H, P = x.shape
    G, N = B.shape[1], B.shape[2]
    D = np.zeros(H) if D is None else np.array(D, float)
    state = np.zeros((H, P, N)) if initial_state is None else np.array(initial_state, float)
    group = np.arange(H) // (H // G)
    Bh, Ch = B[:, group], C[:, group]
    y = np.empty_like(x)
    for t in range(L):
        decay = np.exp(dt[t] * A)
        safe = np.where(A == 0, 1.0, A)
        gain = np.where(A == 0, dt[t], (decay - 1.0) / safe)          # ZOH: (e^(dt A) - 1) / A
        state = decay[:, None, None] * state + (gain[:, None] * x[t])[:, :, None] * Bh[t][:, None, :]
        y[t] = np.einsum("hpn,hn->hp", state, Ch[t]) + D[:, None] * x[t]
    return y, state

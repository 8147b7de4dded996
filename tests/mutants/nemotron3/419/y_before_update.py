"""Reading y_t from the state before token t is written (H_(t-1) C_t instead of H_t C_t)."""
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
        y[t] = np.einsum("hpn,hn->hp", state, Ch[t]) + D[:, None] * x[t]
        state = np.exp(dt[t] * A)[:, None, None] * state + (dt[t][:, None] * x[t])[:, :, None] * Bh[t][:, None, :]
    return y, state

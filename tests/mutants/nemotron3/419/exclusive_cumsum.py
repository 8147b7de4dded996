"""Exclusive cumulative sum inside a chunk (c_t = a_s + ... + a_(t-1)): every decay is off by one token."""
import numpy as np


def ssd_chunked(x, dt, A, B, C, D=None, initial_state=None, chunk_size=64):
    x, dt, A = np.array(x, float), np.array(dt, float), np.array(A, float)
    B, C = np.array(B, float), np.array(C, float)
    L, H, P = x.shape
    G, N = B.shape[1], B.shape[2]
    D = np.zeros(H) if D is None else np.array(D, float)
    state = np.zeros((H, P, N)) if initial_state is None else np.array(initial_state, float)
    group = np.arange(H) // (H // G)
    Bh, Ch = B[:, group], C[:, group]
    u = dt[:, :, None] * x
    y = D[None, :, None] * x
    for s in range(0, L, chunk_size):
        e = min(s + chunk_size, L)
        a = dt[s:e] * A
        c = np.cumsum(a, axis=0) - a                             # exclusive: leaves a_t out
        causal = np.tril(np.ones((e - s, e - s), dtype=bool))[:, :, None]
        decay = np.exp(np.where(causal, c[:, None, :] - c[None, :, :], -np.inf))
        scores = np.einsum("thn,shn->tsh", Ch[s:e], Bh[s:e]) * decay
        y[s:e] += np.einsum("tsh,shp->thp", scores, u[s:e])
        y[s:e] += np.exp(c)[:, :, None] * np.einsum("hpn,thn->thp", state, Ch[s:e])
        weight = np.exp(c[-1][None, :] - c)
        state = np.exp(c[-1])[:, None, None] * state + np.einsum("sh,shp,shn->hpn", weight, u[s:e], Bh[s:e])
    return y, state

"""Distance p − t_j − δ: scores keys for queries in the past instead of the future."""
import numpy as np

def trig_score(q_centre, keys, key_positions, query_position, *, offsets=None,
               base=10000.0, rotated=False, aggregation="mean"):
    q = np.asarray(q_centre)
    if q.dtype.kind != "c":
        raise TypeError("q_centre must be complex")
    k = np.asarray(keys, dtype=float)
    if k.ndim != 2 or k.shape[1] != 2 * q.shape[0]:
        raise ValueError("keys must have shape (n, 2F)")
    pos = np.asarray(key_positions, dtype=float)
    if pos.shape != (k.shape[0],) or not np.all(np.isfinite(pos)):
        raise ValueError("key_positions must be finite with shape (n,)")
    p = float(query_position)
    if not np.isfinite(p):
        raise ValueError("query_position must be finite")
    deltas = (2.0 ** np.arange(17)) if offsets is None else np.asarray(offsets, dtype=float)
    if deltas.ndim != 1 or deltas.size == 0:
        raise ValueError("offsets must be non-empty")
    if aggregation not in ("mean", "max"):
        raise ValueError("aggregation must be 'mean' or 'max'")
    F = q.shape[0]
    omega = base ** (-np.arange(F) / F)
    zk = k[:, :F] + 1j * k[:, F:]
    if True and rotated:
        zk = zk * np.exp(-1j * pos[:, None] * omega)
    
    coeff = q * np.conj(zk)
    dist = p - deltas[None, :] - pos[:, None]
    per = np.real(np.exp(1j * dist[:, :, None] * omega) * coeff[:, None, :]).sum(axis=2)
    return per.mean(axis=1) if aggregation == "mean" else per.max(axis=1)

"""Top-k by argsort(...)[::-1]: reversing an ascending stable sort hands ties to the LARGER position."""
import numpy as np

from mlpapers.arguments import integer, real_array, require


def topk_select(scores, k, visible):
    scores = real_array(scores, "scores", ndim=2)
    k = integer(k, "k", low=1)
    visible = np.asarray(visible)
    if visible.dtype != np.bool_:
        raise TypeError(f"visible must be a bool array, got dtype {visible.dtype}")
    require(visible.shape == scores.shape, "visible", f"of the shape of scores {scores.shape}", f"shape {visible.shape}")
    T, S = scores.shape
    out = np.full((T, k), -1, dtype=np.int64)
    for t in range(T):
        candidates = np.flatnonzero(visible[t])
        best = candidates[np.argsort(scores[t, candidates], kind="stable")[::-1][:k]]   # wrong: ties to larger s
        out[t, :best.size] = np.sort(best)
    return out

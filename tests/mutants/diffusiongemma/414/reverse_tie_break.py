"""Mistake: ties are broken towards the LATER position (e.g. sorting the reversed row), not by a stable sort."""
import numpy as np


def entropy_bounded_accept(entropy, gamma):
    h = np.asarray(entropy, dtype=float)[..., ::-1]
    order = np.argsort(h, axis=-1, kind="stable")
    hs = np.take_along_axis(h, order, axis=-1)
    ok = (np.cumsum(hs, axis=-1) - hs) <= gamma
    out = np.empty(h.shape, dtype=bool)
    np.put_along_axis(out, order, ok, axis=-1)
    return out[..., ::-1]

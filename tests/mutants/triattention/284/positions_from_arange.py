"""Positions taken from np.arange over the rows instead of the positions argument."""
import numpy as np


def apply_rope(x, positions, base=10000.0):
    x = np.asarray(x)
    if x.ndim == 0 or x.shape[-1] == 0 or x.shape[-1] % 2:
        raise ValueError("x must have an even last dimension")
    positions = np.asarray(positions, dtype=np.float64)
    if not np.all(np.isfinite(positions)):
        raise ValueError("positions must be finite")
    try:
        batch = np.broadcast_shapes(x.shape[:-1], positions.shape)
    except ValueError:
        raise ValueError("positions do not broadcast") from None
    pos = np.arange(batch[-1] if batch else 1, dtype=np.float64)
    pos = pos.reshape(batch) if batch else pos[0]
    z = to_complex_pairs(x)
    w = rope_frequencies(x.shape[-1], base)
    return from_complex_pairs(np.broadcast_to(z, batch + z.shape[-1:]) * np.exp(1j * np.asarray(pos)[..., None] * w))

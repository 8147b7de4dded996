"""Rotating by -w_f t (multiplying by exp(-i w t)): the relative property still holds, values do not."""
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
    z = to_complex_pairs(x)
    w = rope_frequencies(x.shape[-1], base)
    return from_complex_pairs(np.broadcast_to(z, batch + z.shape[-1:]) * np.exp(-1j * positions[..., None] * w))

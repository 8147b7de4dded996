"""Not casting the block scale to E4M3: s_b = a_b / 6 * s_enc stays exact (238.93 instead of 240)."""
import numpy as np


def nvfp4_quantize(x):
    x = np.asarray(x, dtype=np.float64)
    blocks = x.reshape(x.shape[:-1] + (x.shape[-1] // 16, 16))
    amax = float(np.max(np.abs(x)))
    s_enc = 1.0 if amax == 0 else 448.0 * 6.0 / amax
    scales = np.max(np.abs(blocks), axis=-1) / 6.0 * s_enc
    safe = np.where(scales > 0, scales, 1.0)[..., None]
    q = np.where(scales[..., None] > 0, round_to_e2m1(blocks * s_enc / safe), 0.0)
    return q.reshape(x.shape), scales, float(s_enc)

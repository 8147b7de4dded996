"""Element scale 6 / a_b: ignores the rounded E4M3 block scale that dequantisation multiplies back."""
import numpy as np


def nvfp4_quantize(x):
    x = np.asarray(x, dtype=np.float64)
    blocks = x.reshape(x.shape[:-1] + (x.shape[-1] // 16, 16))
    amax = float(np.max(np.abs(x)))
    s_enc = 1.0 if amax == 0 else 448.0 * 6.0 / amax
    block_amax = np.max(np.abs(blocks), axis=-1)
    scales = round_to_e4m3(block_amax / 6.0 * s_enc)
    safe = np.where(block_amax > 0, block_amax, 1.0)[..., None]
    q = np.where(scales[..., None] > 0, round_to_e2m1(blocks * 6.0 / safe), 0.0)
    return q.reshape(x.shape), scales, float(s_enc)

"""Calling the denoiser at the next noise level sigmas[i + 1] instead of the current sigmas[i]."""
import numpy as np


def euler_trajectory(x_init, sigmas, denoise_fn):
    x = np.asarray(x_init, dtype=np.float64)
    s = np.asarray(sigmas, dtype=np.float64)
    out = np.empty((s.size,) + x.shape)
    out[0] = x
    for i in range(s.size - 1):
        d = np.asarray(denoise_fn(out[i].copy(), float(s[i + 1])), dtype=np.float64)
        out[i + 1] = out[i] + (s[i + 1] - s[i]) * (out[i] - d) / s[i]
    return out

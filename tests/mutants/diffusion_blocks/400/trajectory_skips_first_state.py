"""Returning only the states after each layer: out has len(sigmas) - 1 rows and no out[0] = x_init."""
import numpy as np


def euler_trajectory(x_init, sigmas, denoise_fn):
    x = np.asarray(x_init, dtype=np.float64)
    s = np.asarray(sigmas, dtype=np.float64)
    states = []
    for i in range(s.size - 1):
        d = np.asarray(denoise_fn(x.copy(), float(s[i])), dtype=np.float64)
        x = x + (s[i + 1] - s[i]) * (x - d) / s[i]
        states.append(x)
    return np.array(states)

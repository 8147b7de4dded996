"""Mistake: reporting the Lemma-4 style bound |x|^2 (pi/2) gamma^2 |y|^2 / m (no <y, r>^2 term) as the exact variance."""
import numpy as np


def tq_prod_conditional_variance(x, y, Pi, centroids, m):
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    idx, norm = tq_mse_quantize(x, Pi, centroids)
    r = x / norm - tq_mse_dequantize(idx, 1.0, Pi, centroids)
    return float(norm ** 2 * np.pi / 2 * (r @ r) * (y @ y) / m)

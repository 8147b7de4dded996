"""Returns x after the last Euler step, without the final denoise at sigma_min (n - 1 block calls)."""
import numpy as np
import torch


def diffusionblocks_sample(block_fns, boundaries, x_init, sigmas, sigma_data=0.5):
    b = np.asarray(boundaries, dtype=np.float64)
    sigmas = np.asarray(sigmas, dtype=np.float64)
    block_fns = list(block_fns)
    owner = assign_block(sigmas, b)
    with torch.no_grad():
        x = x_init.clone()
        for i in range(sigmas.size - 1):
            s, s_next = float(sigmas[i]), float(sigmas[i + 1])
            D = precond_denoise(block_fns[owner[i]], x, s, sigma_data)
            x = x + (s_next - s) * (x - D) / s
        return x

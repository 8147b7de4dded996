"""Mistake: noisy block b reads clean columns j <= P + b*S, i.e. the first token of its own answer."""
import numpy as np


def block_diffusion_mask(prompt_len, response_len, block_size):
    if prompt_len < 0 or response_len < 1 or block_size < 1:
        raise ValueError("prompt_len, response_len, block_size out of range")
    P, R, S = prompt_len, response_len, block_size
    C = P + R
    mask = np.zeros((C + R, C + R), dtype=bool)
    mask[:C, :C] = np.tril(np.ones((C, C), dtype=bool))
    block = np.arange(R) // S
    mask[C:, :C] = np.arange(C)[None, :] <= (P + block * S)[:, None]
    mask[C:, C:] = block[:, None] == block[None, :]
    return mask

"""Conditions the network on c_noise = ln(sigma) instead of EDM's ln(sigma) / 4."""
import torch


def precond_denoise(block_fn, x, sigma, sigma_data=0.5):
    sigma = sigma_per_sample(sigma, x)
    col = (-1,) + (1,) * (x.ndim - 1)
    total = sigma ** 2 + sigma_data ** 2
    c_skip = (sigma_data ** 2 / total).reshape(col)
    c_out = (sigma * sigma_data / total.sqrt()).reshape(col)
    c_in = total.rsqrt().reshape(col)
    return c_skip * x + c_out * block_fn(c_in * x, torch.log(sigma))

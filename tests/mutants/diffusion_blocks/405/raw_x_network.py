"""Feeds the raw noisy x to the network and returns its output as D: no c_in, c_skip or c_out."""
import torch


def precond_denoise(block_fn, x, sigma, sigma_data=0.5):
    sigma = sigma_per_sample(sigma, x)
    return block_fn(x, 0.25 * torch.log(sigma))

"""Mistake: using the paper's b = 1, large-d value 2/pi as the bias factor for every b and d."""
import numpy as np


def mse_inner_product_bias(bits, d=None):
    return 2 / np.pi

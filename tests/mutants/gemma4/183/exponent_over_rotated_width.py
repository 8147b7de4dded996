"""Exponent divided by the rotated width p*d instead of the full d (the NeoX partial-rotary habit):
the kept frequencies are theta^(-2i/(p d)), so they fall p times faster than default RoPE's."""
import numpy as np

from mlpapers.arguments import choice, integer, real, require


def rope_inv_freq(head_dim, theta, partial_rotary_factor=1.0, rope_type="default"):
    d = integer(head_dim, "head_dim", low=2)
    require(d % 2 == 0, "head_dim", "even", d)
    theta = real(theta, "theta")
    require(theta > 1, "theta", "> 1", theta)
    p = real(partial_rotary_factor, "partial_rotary_factor")
    require(0 < p <= 1, "partial_rotary_factor", "in (0, 1]", p)
    rope_type = choice(rope_type, "rope_type", ("default", "proportional"))
    require(rope_type == "proportional" or p == 1.0, "partial_rotary_factor", "1.0 for default RoPE", p)
    n_rot = int(p * d // 2)
    inv = np.zeros(d // 2)
    if n_rot:
        inv[:n_rot] = theta ** (-2.0 * np.arange(n_rot) / (2 * n_rot))    # wrong: the rotated width
    return inv

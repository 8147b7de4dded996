"""Forgetting the 1/sqrt(2) of eq. (3): u_l = c_l + t_l."""
import math

import numpy as np

from gemma4_given import rms_norm
from mlpapers.arguments import int_array, integer, real, real_array, require


def ple_inputs(token_ids, inputs_embeds, ple_table, w_model_proj, proj_norm_weight, num_layers, eps=1e-6):
    ids = np.asarray(token_ids)
    if ids.dtype.kind not in "iu":
        raise TypeError(f"token_ids must hold integers, got dtype {ids.dtype}")
    L = integer(num_layers, "num_layers", low=1)
    table = real_array(ple_table, "ple_table", ndim=2)
    V, width = table.shape
    require(width % L == 0, "ple_table", f"a width divisible by num_layers = {L}", width)
    P = width // L
    ids = int_array(ids, "token_ids", ndim=1, low=0, high=V - 1)
    e = real_array(inputs_embeds, "inputs_embeds", shape=(ids.size, None))
    D = e.shape[1]
    w = real_array(w_model_proj, "w_model_proj", shape=(D, L * P))
    g = real_array(proj_norm_weight, "proj_norm_weight", shape=(P,))
    eps = real(eps, "eps", low=0.0)
    T = ids.size
    proj = (e @ w / math.sqrt(D)).reshape(T, L, P)
    c = rms_norm(proj, g, eps)
    t = math.sqrt(P) * table[ids].reshape(T, L, P)
    return c + t

"""Skipping the post-projection RMSNorm: h + ((GELU(h W_g) * u) W_p) * g_l."""
import numpy as np

from gemma4_given import gelu_tanh, rms_norm
from mlpapers.arguments import real, real_array


def per_layer_input_gate(h, per_layer_input, w_gate, w_proj, post_norm_weight, eps=1e-6):
    h = real_array(h, "h", ndim=2)
    T, D = h.shape
    u = real_array(per_layer_input, "per_layer_input", shape=(T, None))
    P = u.shape[1]
    w_gate = real_array(w_gate, "w_gate", shape=(D, P))
    w_proj = real_array(w_proj, "w_proj", shape=(P, D))
    g = real_array(post_norm_weight, "post_norm_weight", shape=(D,))
    eps = real(eps, "eps", low=0.0)
    gate = gelu_tanh(h @ w_gate)
    return h + ((gate * u) @ w_proj) * g

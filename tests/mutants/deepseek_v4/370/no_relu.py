"""No ReLU in the indexer: I[t, s] = sum_h w[t, h] (q[t, h] . k[s]), so a head with a negative dot product
votes against a key instead of staying silent."""
import numpy as np

from mlpapers.arguments import real_array


def indexer_scores(q_idx, w_idx, k_idx):
    q_idx = real_array(q_idx, "q_idx", ndim=3)
    T, H_I, c_I = q_idx.shape
    w_idx = real_array(w_idx, "w_idx", shape=(T, H_I))
    k_idx = real_array(k_idx, "k_idx", shape=(None, c_I))
    dots = np.einsum("thc,sc->ths", q_idx, k_idx)
    return np.einsum("th,ths->ts", w_idx, dots)                 # wrong: ReLU missing

"""Mistake: drawing the value rotation Pi_V before the key rotation Pi_K (wrong draw order)."""
import numpy as np


def turboquant_kv_attention(Q, K, V, key_bits, value_bits, rng, key_mode="prod"):
    if not isinstance(rng, np.random.Generator):
        raise TypeError("rng must be a Generator")
    if key_mode not in ("mse", "prod"):
        raise ValueError("key_mode must be 'mse' or 'prod'")
    K = np.asarray(K, dtype=float)
    V = np.asarray(V, dtype=float)
    d, dv = K.shape[1], V.shape[1]
    Pi_V = random_rotation(dv, rng) if value_bits is not None else None     # drawn first: wrong
    K_hat, V_hat = K, V
    if key_bits is not None:
        Pi_K = random_rotation(d, rng)
        if key_mode == "mse":
            c = lloyd_max(key_bits, d)[0]
            K_hat = tq_mse_dequantize(*tq_mse_quantize(K, Pi_K, c), Pi_K, c)
        else:
            S = rng.standard_normal((d, d))
            c = lloyd_max(key_bits - 1, d)[0]
            K_hat = tq_prod_dequantize(*tq_prod_quantize(K, Pi_K, c, S), Pi_K, c, S)
    if value_bits is not None:
        c = lloyd_max(value_bits, dv)[0]
        V_hat = tq_mse_dequantize(*tq_mse_quantize(V, Pi_V, c), Pi_V, c)
    return softmax_attention(Q, K_hat, V_hat)

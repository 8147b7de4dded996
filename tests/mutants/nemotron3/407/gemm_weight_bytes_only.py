"""Counting weight bytes only: I = 2 t / w_bytes, as if the activations moved for free."""


def gemm_intensity(tokens, d_in, d_out, w_bytes=2.0, a_bytes=2.0):
    t = float(tokens)
    if t <= 0:
        raise ValueError("tokens must be > 0")
    return 2.0 * t * d_in * d_out / (w_bytes * d_in * d_out)

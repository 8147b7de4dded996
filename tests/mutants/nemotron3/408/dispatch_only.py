"""Counting the dispatch only: K rows out, but not the K result rows coming back (combine)."""


def all_to_all_bytes_per_token(d_model, top_k, latent_dim=None, bytes_per_elem=2.0):
    row = d_model if latent_dim is None else latent_dim
    return float(top_k * row * bytes_per_elem)

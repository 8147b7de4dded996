"""Mistake: the autoregressive loop runs one more forward pass after the last token."""
import numbers

import numpy as np

from diffusiongemma_given import apply_temperature, denoise_canvas, sample_tokens, temperature_schedule


def generate_autoregressive(model, prompt, num_tokens, rng, *, temperature=1.0):
    if isinstance(num_tokens, (bool, np.bool_)) or not isinstance(num_tokens, numbers.Integral):
        raise TypeError(f"num_tokens must be an int, got {type(num_tokens).__name__}")
    if num_tokens < 1:
        raise ValueError(f"num_tokens must be >= 1, got {num_tokens}")
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a np.random.Generator, got {type(rng).__name__}")
    prompt = np.asarray(prompt)
    if prompt.dtype.kind not in "iu":
        raise TypeError(f"prompt must be an integer array, got dtype {prompt.dtype}")
    if prompt.ndim != 1:
        raise ValueError(f"prompt must be 1-D, got shape {prompt.shape}")
    model.reset()
    logits = model.ar_forward(prompt.astype(np.int64))          # prefill predicts the first token
    tokens = np.empty(num_tokens, dtype=np.int64)
    for n in range(num_tokens):
        tokens[n] = sample_tokens(apply_temperature(logits, temperature)[None, None, :], rng)[0, 0]
        logits = model.ar_forward(tokens[n:n + 1])
    return {"tokens": tokens, "forward_calls": num_tokens, "tokens_per_forward": 1.0}

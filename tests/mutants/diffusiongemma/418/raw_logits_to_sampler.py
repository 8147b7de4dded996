"""Mistake: the sampler gets the raw logits; the temperature only shapes the self-conditioning input."""
import numbers

import numpy as np

from diffusiongemma_given import apply_temperature, denoise_canvas, sample_tokens, temperature_schedule


def generate_block_diffusion(model, prompt, num_blocks, canvas_len, rng, *, max_steps=48, gamma=0.1,
                             t_max=0.8, t_min=0.4, exponent=1.0, stability_window=1,
                             confidence_threshold=0.005, self_conditioning=True):
    for name, value in (("num_blocks", num_blocks), ("canvas_len", canvas_len)):
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
            raise TypeError(f"{name} must be an int, got {type(value).__name__}")
        if value < 1:
            raise ValueError(f"{name} must be >= 1, got {value}")
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a np.random.Generator, got {type(rng).__name__}")
    prompt = np.asarray(prompt)
    if prompt.dtype.kind not in "iu":
        raise TypeError(f"prompt must be an integer array, got dtype {prompt.dtype}")
    if prompt.ndim != 1:
        raise ValueError(f"prompt must be 1-D, got shape {prompt.shape}")

    model.reset()
    temps = temperature_schedule(max_steps, t_max, t_min, exponent)
    model.encode(prompt.astype(np.int64))                       # prefill: encoder call 1
    V = model.vocab_size
    blocks, steps, traces = [], [], []
    for b in range(num_blocks):
        if b > 0:
            model.encode(blocks[-1])                            # finished canvas -> cache
        init = rng.integers(0, V, size=(1, canvas_len))         # uniform noise (draw)
        state = {"sc": None}                                    # self-conditioning restarts per canvas

        def logits_fn(canvas, i):
            raw = model.denoise(canvas, state["sc"] if self_conditioning else None)
            shaped = apply_temperature(raw, float(temps[i]))
            state["sc"] = shaped
            return raw

        result = denoise_canvas(logits_fn, init, max_steps=max_steps, gamma=gamma, rng=rng,
                                stability_window=stability_window,
                                confidence_threshold=confidence_threshold)
        blocks.append(np.asarray(result["tokens"][0], dtype=np.int64))   # the argmax canvas
        steps.append(int(result["steps"]))
        traces.append(result)
    tokens = np.concatenate(blocks).astype(np.int64)
    decoder_calls = int(sum(steps))
    return {"tokens": tokens, "decoder_calls": decoder_calls, "encoder_calls": num_blocks,
            "steps_per_block": steps, "tokens_per_forward": tokens.size / decoder_calls,
            "traces": traces}

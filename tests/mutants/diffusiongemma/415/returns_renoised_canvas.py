"""Mistake: denoise_canvas hands on the next (renoised) canvas of the last step instead of its argmax
canvas, so noise leaks into the output whenever the last step rejected a position."""
import numpy as np


def denoise_canvas(logits_fn, init_canvas, *, max_steps, gamma, rng, stability_window=1,
                   confidence_threshold=0.005):
    canvas = np.array(init_canvas, dtype=np.int64)
    keys = ("canvases", "argmax", "accepted", "sampled", "entropy")
    hist = {k: [] for k in keys}
    converged = False
    for i in range(max_steps):
        logits = np.asarray(logits_fn(canvas, i), dtype=float)
        a = np.argmax(logits, axis=-1)
        nxt, accepted, sampled = denoise_step(logits, gamma, rng)
        for k, v in zip(keys, (canvas, a, accepted, sampled, token_entropy(logits))):
            hist[k].append(v)
        canvas = nxt
        if should_stop(np.stack(hist["argmax"]), logits, stability_window, confidence_threshold).all():
            converged = True
            break
    out = {k: np.stack(v) for k, v in hist.items()}
    out.update(tokens=canvas, steps=len(hist["argmax"]), converged=converged)
    return out

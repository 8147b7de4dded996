"""Mistake: the canvas history records the canvas AFTER the step (the next canvas), not the one fed to
the denoiser, and the loop updates the caller's init_canvas in place."""
import numpy as np


def denoise_canvas(logits_fn, init_canvas, *, max_steps, gamma, rng, stability_window=1,
                   confidence_threshold=0.005):
    canvas = init_canvas
    keys = ("canvases", "argmax", "accepted", "sampled", "entropy")
    hist = {k: [] for k in keys}
    converged = False
    for i in range(max_steps):
        logits = np.asarray(logits_fn(canvas, i), dtype=float)
        a = np.argmax(logits, axis=-1)
        nxt, accepted, sampled = denoise_step(logits, gamma, rng)
        canvas[...] = nxt
        for k, v in zip(keys, (canvas.copy(), a, accepted, sampled, token_entropy(logits))):
            hist[k].append(v)
        if should_stop(np.stack(hist["argmax"]), logits, stability_window, confidence_threshold).all():
            converged = True
            break
    out = {k: np.stack(v) for k, v in hist.items()}
    out.update(tokens=hist["argmax"][-1], steps=len(hist["argmax"]), converged=converged)
    return out

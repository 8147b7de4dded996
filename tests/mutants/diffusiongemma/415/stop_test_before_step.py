"""Mistake: the stop test runs before the sampler step, so the last step draws nothing and records no
accepted/sampled entries (different draws and histories from the contract)."""
import numpy as np


def denoise_canvas(logits_fn, init_canvas, *, max_steps, gamma, rng, stability_window=1,
                   confidence_threshold=0.005):
    canvas = np.array(init_canvas, dtype=np.int64)
    hist = {k: [] for k in ("canvases", "argmax", "accepted", "sampled", "entropy")}
    converged = False
    for i in range(max_steps):
        logits = np.asarray(logits_fn(canvas, i), dtype=float)
        a = np.argmax(logits, axis=-1)
        hist["canvases"].append(canvas)
        hist["argmax"].append(a)
        hist["entropy"].append(token_entropy(logits))
        if should_stop(np.stack(hist["argmax"]), logits, stability_window, confidence_threshold).all():
            converged = True
            break
        nxt, accepted, sampled = denoise_step(logits, gamma, rng)
        hist["accepted"].append(accepted)
        hist["sampled"].append(sampled)
        canvas = nxt
    out = {k: np.stack(v) if v else np.zeros((0,) + canvas.shape) for k, v in hist.items()}
    out.update(tokens=hist["argmax"][-1], steps=len(hist["argmax"]), converged=converged)
    return out

"""Course answers of earlier DiffusionGemma problems, released with the chapter.

Later notebooks of the chapter import these instead of the student's own answers, so one
unfinished notebook never blocks the next. Each section names the problems whose answers it
holds; NumPy only, float64 reals, int64 tokens, bool masks, randomness through an explicit
``np.random.Generator`` in the documented order of draws.
"""
from __future__ import annotations

import numbers

import numpy as np


# --- problems 413-415 ---------------------------------------------------------------------------
# 413 forward_marginal, corrupt (the uniform and MASK kernels); 414 token_entropy,
# entropy_bounded_accept, sample_tokens, denoise_step; 415 is_stable, is_confident, should_stop,
# denoise_canvas.

_PROCESSES = ("uniform", "mask")


def _check_rng(rng):
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a np.random.Generator, got {type(rng).__name__}")


def _check_int(value, name, minimum=None):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return int(value)


def _check_real(value, name):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    return value


def _check_tokens(x, name, upper):
    """Integer token array with values in [0, upper)."""
    x = np.asarray(x)
    if x.dtype.kind not in "iu":
        raise TypeError(f"{name} must be an integer array, got dtype {x.dtype}")
    if x.size and (x.min() < 0 or x.max() >= upper):
        raise ValueError(f"{name} values must lie in [0, {upper}), got range [{x.min()}, {x.max()}]")
    return x.astype(np.int64)


def _check_process(process):
    if process not in _PROCESSES:
        raise ValueError(f"process must be 'uniform' or 'mask', got {process!r}")


def forward_marginal(x0, t, vocab_size, process="uniform"):
    """Rows of q(x_t | x_0) = alpha*onehot(x0) + (1 - alpha)*pi, alpha = 1 - t (problem 413).

    Args: x0 int (..., L); t float in [0, 1]; vocab_size V; process 'uniform' or 'mask'.
    Returns: float64 (..., L, K), K = V ('uniform') or V + 1 ('mask', MASK id = V).
    """
    V = _check_int(vocab_size, "vocab_size", 1)
    x0 = _check_tokens(x0, "x0", V)
    t = _check_real(t, "t")
    if not 0.0 <= t <= 1.0:
        raise ValueError(f"t must lie in [0, 1], got {t}")
    _check_process(process)
    alpha = 1.0 - t
    K = V if process == "uniform" else V + 1
    pi = np.full(K, 1.0 / V) if process == "uniform" else np.eye(K)[V]
    onehot = np.eye(K)[x0]                                   # (..., L, K)
    return alpha * onehot + (1.0 - alpha) * pi


def corrupt(x0, t, vocab_size, rng, process="uniform"):
    """Sample x_t ~ q(x_t | x_0) (problem 413).

    Draws, in order: u = rng.random(x0.shape); corrupted = u < t (t per row when x0 is (B, L)
    and t has shape (B,)); 'uniform' only: noise = rng.integers(0, V, size=x0.shape).
    Returns (x_t int64, corrupted bool), both shaped like x0.
    """
    V = _check_int(vocab_size, "vocab_size", 1)
    x0 = _check_tokens(x0, "x0", V)
    _check_rng(rng)
    _check_process(process)
    if x0.ndim not in (1, 2):
        raise ValueError(f"x0 must have shape (L,) or (B, L), got {x0.shape}")
    t_arr = np.asarray(t)
    if t_arr.dtype.kind not in "iuf":
        raise TypeError(f"t must be a real number or array, got dtype {t_arr.dtype}")
    if t_arr.ndim == 0:
        t_b = t_arr.astype(float)
    elif x0.ndim == 2 and t_arr.shape == (x0.shape[0],):
        t_b = t_arr.astype(float)[:, None]                   # one time per row
    else:
        raise ValueError(f"t must be a scalar or have shape (B,) = ({x0.shape[0] if x0.ndim == 2 else '-'},), "
                         f"got {t_arr.shape}")
    if not np.all(np.isfinite(t_b)) or np.any(t_b < 0) or np.any(t_b > 1):
        raise ValueError("t must lie in [0, 1]")
    u = rng.random(x0.shape)
    corrupted = u < t_b
    if process == "uniform":
        noise = rng.integers(0, V, size=x0.shape)
        xt = np.where(corrupted, noise, x0)
    else:
        xt = np.where(corrupted, V, x0)
    return xt.astype(np.int64), corrupted


def _check_logits(logits, name="logits"):
    z = np.asarray(logits)
    if z.dtype.kind not in "biuf" or z.dtype.kind == "b":
        raise TypeError(f"{name} must be a real array, got dtype {z.dtype}")
    z = z.astype(np.float64)
    if z.ndim < 1 or z.shape[-1] == 0:
        raise ValueError(f"{name} must have a non-empty vocabulary (last) axis, got shape {z.shape}")
    if np.isnan(z).any() or np.isposinf(z).any():
        raise ValueError(f"{name} must not contain NaN or +inf")
    if np.isneginf(z).all(axis=-1).any():
        raise ValueError(f"{name} has a row that is entirely -inf")
    return z


def _log_softmax(z):
    m = z.max(axis=-1, keepdims=True)                        # finite: no row is all -inf
    shifted = z - m
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def token_entropy(logits):
    """Entropy in nats of softmax(logits) along the last axis, (..., V) -> (...) (problem 414)."""
    z = _check_logits(logits)
    logp = _log_softmax(z)
    p = np.exp(logp)
    # -inf logits: p = 0 exactly, and 0 * log 0 := 0 (avoid 0 * -inf = NaN)
    plogp = np.where(p > 0, p * np.where(np.isfinite(logp), logp, 0.0), 0.0)
    return 0.0 - plogp.sum(axis=-1)                          # 0.0 - 0.0 avoids printing -0.0


def entropy_bounded_accept(entropy, gamma):
    """EB acceptance, (..., L) -> bool (..., L) (problem 414).

    Stable ascending sort; sorted index k accepted iff cumsum(sorted)[k] - sorted[k] <= gamma.
    """
    h = np.asarray(entropy)
    if h.dtype.kind not in "iuf":
        raise TypeError(f"entropy must be a real array, got dtype {h.dtype}")
    h = h.astype(np.float64)
    if h.ndim < 1:
        raise ValueError("entropy must have at least one axis (..., L)")
    if not np.all(np.isfinite(h)):
        raise ValueError("entropy must be finite (no NaN or inf)")
    gamma = _check_real(gamma, "gamma")
    if gamma < 0:
        raise ValueError(f"gamma must be >= 0, got {gamma}")
    order = np.argsort(h, axis=-1, kind="stable")
    hs = np.take_along_axis(h, order, axis=-1)
    ok_sorted = (np.cumsum(hs, axis=-1) - hs) <= gamma
    accepted = np.empty_like(ok_sorted)
    np.put_along_axis(accepted, order, ok_sorted, axis=-1)
    return accepted


def sample_tokens(logits, rng):
    """Inverse-CDF categorical sample along the last axis, (..., V) -> int64 (...) (problem 414).

    The only draw: u = rng.random(logits.shape[:-1]).
    """
    z = _check_logits(logits)
    _check_rng(rng)
    p = np.exp(_log_softmax(z))
    c = np.cumsum(p, axis=-1)
    c = c / c[..., -1:]
    u = rng.random(z.shape[:-1])
    return (c <= u[..., None]).sum(axis=-1).astype(np.int64)


def denoise_step(logits, gamma, rng):
    """One sampler step on shaped logits (B, L, V) (problem 414).

    sampled = sample_tokens (draw 1); accepted = EB rule on token_entropy; noise =
    rng.integers(0, V, (B, L)) (draw 2); next = where(accepted, sampled, noise).
    Returns (next int64 (B, L), accepted bool (B, L), sampled int64 (B, L)).
    """
    z = _check_logits(logits)
    if z.ndim != 3:
        raise ValueError(f"logits must have shape (B, L, V), got {z.shape}")
    _check_rng(rng)
    B, L, V = z.shape
    sampled = sample_tokens(z, rng)
    accepted = entropy_bounded_accept(token_entropy(z), gamma)
    noise = rng.integers(0, V, size=(B, L))
    return np.where(accepted, sampled, noise).astype(np.int64), accepted, sampled


def is_stable(argmax_history, window):
    """bool (B,): the last window + 1 argmax canvases of history (S, B, L) agree (problem 415)."""
    h = np.asarray(argmax_history)
    if h.dtype.kind not in "iu":
        raise TypeError(f"argmax_history must be an integer array, got dtype {h.dtype}")
    if h.ndim != 3 or h.shape[0] == 0:
        raise ValueError(f"argmax_history must have shape (S, B, L) with S >= 1, got {h.shape}")
    w = _check_int(window, "window", 0)
    S, B = h.shape[:2]
    if w == 0:
        return np.ones(B, dtype=bool)
    if S < w + 1:
        return np.zeros(B, dtype=bool)
    recent = h[-(w + 1):]
    return np.all(recent == recent[-1], axis=(0, 2))


def is_confident(logits, threshold):
    """bool (B,): mean token entropy of logits (B, L, V) is <= threshold (problem 415)."""
    z = _check_logits(logits)
    if z.ndim != 3:
        raise ValueError(f"logits must have shape (B, L, V), got {z.shape}")
    tau = _check_real(threshold, "threshold")
    if tau < 0:
        raise ValueError(f"threshold must be >= 0, got {tau}")
    return token_entropy(z).mean(axis=-1) <= tau


def should_stop(argmax_history, logits, stability_window=1, confidence_threshold=0.005):
    """bool (B,): is_stable & is_confident (problem 415)."""
    stable = is_stable(argmax_history, stability_window)
    confident = is_confident(logits, confidence_threshold)
    if np.asarray(argmax_history).shape[1:] != np.asarray(logits).shape[:2]:
        raise ValueError("argmax_history (S, B, L) and logits (B, L, V) disagree on (B, L)")
    return stable & confident


def denoise_canvas(logits_fn, init_canvas, *, max_steps, gamma, rng, stability_window=1,
                   confidence_threshold=0.005):
    """Run denoise_step until every row is stable and confident, at most max_steps (problem 415).

    logits_fn(canvas int64 (B, L), step int) -> shaped logits (B, L, V).
    Returns dict: tokens (argmax canvas of the last executed step, int64 (B, L)), steps, converged,
    and histories 'canvases', 'argmax', 'accepted', 'sampled', 'entropy' of shape (steps, B, L).
    """
    if not callable(logits_fn):
        raise TypeError("logits_fn must be callable")
    canvas = np.asarray(init_canvas)
    if canvas.dtype.kind not in "iu":
        raise TypeError(f"init_canvas must be an integer array, got dtype {canvas.dtype}")
    if canvas.ndim != 2:
        raise ValueError(f"init_canvas must have shape (B, L), got {canvas.shape}")
    canvas = canvas.astype(np.int64)                         # a copy: the input is never touched
    max_steps = _check_int(max_steps, "max_steps", 1)
    _check_int(stability_window, "stability_window", 0)
    _check_rng(rng)
    B, L = canvas.shape
    keys = ("canvases", "argmax", "accepted", "sampled", "entropy")
    hist = {k: [] for k in keys}
    converged = False
    for i in range(max_steps):
        logits = _check_logits(logits_fn(canvas, i))
        if logits.ndim != 3 or logits.shape[:2] != (B, L):
            raise ValueError(f"logits_fn must return logits of shape ({B}, {L}, V), got {logits.shape}")
        if i == 0 and (canvas.min() < 0 or canvas.max() >= logits.shape[-1]):
            raise ValueError(f"init_canvas tokens must lie in [0, {logits.shape[-1]})")
        a = np.argmax(logits, axis=-1).astype(np.int64)
        nxt, accepted, sampled = denoise_step(logits, gamma, rng)
        for k, v in zip(keys, (canvas, a, accepted, sampled, token_entropy(logits))):
            hist[k].append(v)
        if should_stop(np.stack(hist["argmax"]), logits, stability_window, confidence_threshold).all():
            converged = True
            break
        canvas = nxt
    out = {k: np.stack(v) for k, v in hist.items()}
    out.update(tokens=out["argmax"][-1].copy(), steps=len(hist["argmax"]), converged=converged)
    return out


# --- problem 416 ---
# 416 temperature_schedule, apply_temperature (the annealed sampling temperature; used by 418).


def _real_416(value, name):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    return value


def temperature_schedule(num_steps, t_max=0.8, t_min=0.4, exponent=1.0):
    """T_i = t_min + (t_max - t_min) * (1 - (i / N) ** exponent), i = 0..N-1 (problem 416).

    Returns float64 (num_steps,). T_0 = t_max; the last step is not at t_min.
    """
    if isinstance(num_steps, (bool, np.bool_)) or not isinstance(num_steps, numbers.Integral):
        raise TypeError(f"num_steps must be an int, got {type(num_steps).__name__}")
    if num_steps < 1:
        raise ValueError(f"num_steps must be >= 1, got {num_steps}")
    t_max = _real_416(t_max, "t_max")
    t_min = _real_416(t_min, "t_min")
    exponent = _real_416(exponent, "exponent")
    if t_min <= 0:
        raise ValueError(f"t_min must be > 0, got {t_min}")
    if t_max < t_min:
        raise ValueError(f"t_max must be >= t_min, got t_max={t_max} < t_min={t_min}")
    if exponent <= 0:
        raise ValueError(f"exponent must be > 0, got {exponent}")
    noise_left = 1.0 - (np.arange(num_steps) / num_steps) ** exponent   # s_i = 1 - (i/N)^kappa
    return t_min + (t_max - t_min) * noise_left


def apply_temperature(logits, temperature):
    """A new float64 array logits / temperature; -inf stays -inf (problem 416)."""
    temperature = _real_416(temperature, "temperature")
    if temperature <= 0:
        raise ValueError(f"temperature must be > 0, got {temperature}")
    z = np.asarray(logits)
    if z.dtype.kind not in "iuf":
        raise TypeError(f"logits must be a real array, got dtype {z.dtype}")
    if np.isnan(z).any() or np.isposinf(z).any():
        raise ValueError("logits must not contain NaN or +inf")
    return z.astype(np.float64) / temperature


# 417 block_diffusion_mask and 418 generate_block_diffusion: no later problem imports them; they are
# here for the instructor's figures (mlpapers.figures.reference), which show them before each task.


def block_diffusion_mask(prompt_len, response_len, block_size):
    """Mask over [clean prompt ; clean response ; noisy response], True = may attend (problem 417)."""
    P = _check_int(prompt_len, "prompt_len", 0)
    R = _check_int(response_len, "response_len", 1)
    S = _check_int(block_size, "block_size", 1)
    C = P + R
    mask = np.zeros((C + R, C + R), dtype=bool)
    mask[:C, :C] = np.tril(np.ones((C, C), dtype=bool))              # token-causal encoder
    block = np.arange(R) // S
    mask[C:, :C] = np.arange(C)[None, :] < (P + block * S)[:, None]  # strictly earlier clean blocks
    mask[C:, C:] = block[:, None] == block[None, :]                  # own noisy canvas
    return mask


def generate_block_diffusion(model, prompt, num_blocks, canvas_len, rng, *, max_steps=48, gamma=0.1,
                             t_max=0.8, t_min=0.4, exponent=1.0, stability_window=1,
                             confidence_threshold=0.005, self_conditioning=True):
    """Block-autoregressive generation with the toy model (problem 418); returns the capstone's dict."""
    model.reset()
    temps = temperature_schedule(max_steps, t_max, t_min, exponent)
    model.encode(np.asarray(prompt, dtype=np.int64))
    blocks, steps, traces = [], [], []
    for b in range(num_blocks):
        if b > 0:
            model.encode(blocks[-1])
        init = rng.integers(0, model.vocab_size, size=(1, canvas_len))
        state = {"sc": None}

        def logits_fn(canvas, i):
            shaped = apply_temperature(model.denoise(canvas, state["sc"] if self_conditioning else None),
                                       float(temps[i]))
            state["sc"] = shaped
            return shaped

        result = denoise_canvas(logits_fn, init, max_steps=max_steps, gamma=gamma, rng=rng,
                                stability_window=stability_window, confidence_threshold=confidence_threshold)
        blocks.append(np.asarray(result["tokens"][0], dtype=np.int64))
        steps.append(int(result["steps"]))
        traces.append(result)
    tokens = np.concatenate(blocks)
    return {"tokens": tokens, "decoder_calls": int(sum(steps)), "encoder_calls": num_blocks,
            "steps_per_block": steps, "tokens_per_forward": tokens.size / sum(steps), "traces": traces}

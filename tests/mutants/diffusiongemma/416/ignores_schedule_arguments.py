"""Mistake: tempered_denoise_step builds the default schedule, ignoring t_max, t_min and exponent."""


def tempered_denoise_step(logits, step, num_steps, gamma, rng, t_max=0.8, t_min=0.4, exponent=1.0):
    if not 0 <= step < num_steps:
        raise ValueError("step out of range")
    shaped = apply_temperature(logits, float(temperature_schedule(num_steps)[step]))
    next_canvas, accepted, sampled = denoise_step(shaped, gamma, rng)
    return next_canvas, accepted, sampled, shaped

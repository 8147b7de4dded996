"""Streaming without slack: evicts as soon as the cache exceeds the budget (one eviction per step)."""
import numpy as np


def simulate_streaming(scenario, policy, budget, interval, *, base=10000.0, offsets=None):
    if policy not in ("full", "recent", "window", "triattention"):
        raise ValueError(f"unknown policy {policy!r}")
    for name, value in (("budget", budget), ("interval", interval)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise TypeError(f"{name} must be an int")
        if value < 1:
            raise ValueError(f"{name} must be >= 1")
    keys, kpos = scenario["keys"], np.asarray(scenario["key_positions"], dtype=float)
    queries, qpos = scenario["past_queries"], np.asarray(scenario["past_positions"], dtype=float)
    values = np.asarray(scenario["values"], dtype=float)
    n_steps, w = kpos.shape[0], int(scenario["window"])
    if policy == "full":
        return {"mass": 1.0, "output_error": 0.0, "n_evictions": 0, "peak_cache": n_steps, "memory_reduction": 1.0}
    calib = scenario["calib_queries"]
    centre, abs_mean = qk_centre(calib), qk_abs_mean(calib)
    weights = attention_weights(queries, qpos, keys, kpos, base=base)
    full = weights @ values
    cache = np.empty(0, dtype=np.int64)
    masses, errors = [], []
    n_evictions = peak = 0
    for t in range(n_steps):
        cache = np.append(cache, t)
        peak = max(peak, cache.size)
        if t >= budget + interval:
            row = weights[t, cache]
            mass = row.sum()
            masses.append(mass)
            errors.append(np.linalg.norm(row @ values[cache] / mass - full[t]) / np.linalg.norm(full[t]))
        if cache.size > budget:
            if policy == "recent":
                keep = select_recent(kpos[cache], budget)
            elif policy == "window":
                lo = max(0, t - w + 1)
                keep = select_window_attention(queries[lo:t + 1], qpos[lo:t + 1], keys[cache], kpos[cache], budget, base=base)
            else:
                keep = select_triattention(centre, abs_mean, keys[cache], kpos[cache], t + 1, budget, offsets=offsets, base=base)
            cache = cache[keep]
            n_evictions += 1
    return {"mass": float(np.mean(masses)), "output_error": float(np.mean(errors)),
            "n_evictions": n_evictions, "peak_cache": peak, "memory_reduction": kv_memory_reduction(n_steps, budget)}

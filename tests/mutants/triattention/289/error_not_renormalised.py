"""Output error without renormalising the kept weights: o_kept = sum over kept of A_ij v_j."""
import numpy as np


def attention_output_error(queries, query_positions, keys, key_positions, values, keep, *, base=10000.0):
    weights = attention_weights(queries, query_positions, keys, key_positions, base=base)
    keep = np.asarray(keep)
    if keep.ndim != 1 or keep.size == 0 or keep.dtype.kind not in "iu":
        raise ValueError("keep must be a non-empty 1-D array of integer key indices")
    if np.any(keep < 0) or np.any(keep >= weights.shape[1]) or np.unique(keep).size != keep.size:
        raise ValueError("keep must hold distinct indices in range")
    v = np.asarray(values, dtype=float)
    full = weights @ v
    approx = weights[:, keep] @ v[keep]
    return float(np.mean(np.linalg.norm(approx - full, axis=1) / np.linalg.norm(full, axis=1)))


def evaluate_policies(scenario, budget, *, base=10000.0):
    keys, kpos = scenario["keys"], np.asarray(scenario["key_positions"], dtype=float)
    values = np.asarray(scenario["values"], dtype=float)
    w = int(scenario["window"])
    calib = scenario["calib_queries"]
    reduction = kv_memory_reduction(kpos.shape[0], budget)
    weights = attention_weights(scenario["future_queries"], scenario["future_positions"], keys, kpos, base=base)
    kept = {
        "full": np.arange(kpos.shape[0]),
        "recent": select_recent(kpos, budget),
        "window": select_window_attention(scenario["past_queries"][-w:], scenario["past_positions"][-w:],
                                          keys, kpos, budget, base=base),
        "triattention": select_triattention(qk_centre(calib), qk_abs_mean(calib), keys, kpos,
                                            scenario["query_position"], budget, base=base),
        "oracle": np.sort(np.argsort(-weights.mean(axis=0), kind="stable")[:budget]),
    }
    full = weights @ values
    results = {}
    for name, keep in kept.items():
        part = weights[:, keep]
        approx = part @ values[keep]
        error = np.linalg.norm(approx - full, axis=1) / np.linalg.norm(full, axis=1)
        results[name] = {"mass": float(part.sum(axis=1).mean()), "output_error": float(error.mean()),
                         "memory_reduction": 1.0 if name == "full" else reduction}
    return results

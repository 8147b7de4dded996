"""The Gemma 3 habit: scaling by 1 + weight instead of by the stored weight itself."""
import numpy as np

from mlpapers.arguments import real, real_array, require


def rms_norm(x, weight=None, eps=1e-6):
    x = np.asarray(x)
    if x.dtype.kind not in "iuf":
        raise TypeError(f"x must hold real numbers, got dtype {x.dtype}")
    require(x.ndim >= 1 and x.shape[-1] >= 1, "x", "an array with a non-empty last axis", f"shape {x.shape}")
    eps = real(eps, "eps", low=0.0)
    if weight is not None:
        weight = real_array(weight, "weight", shape=(x.shape[-1],))
    out_dtype = x.dtype if x.dtype.kind == "f" else np.dtype(np.float64)
    x64 = x.astype(np.float64)
    out = x64 / np.sqrt(np.mean(x64 * x64, axis=-1, keepdims=True) + eps)
    if weight is not None:
        out = out * (1.0 + weight)
    return out.astype(out_dtype, copy=False)

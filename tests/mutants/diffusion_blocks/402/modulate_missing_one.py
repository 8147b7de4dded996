"""adaln_modulate computes x * scale + shift: the "1 +" is missing, so a zero scale wipes the input out."""
import numpy as np


def adaln_modulate(x, shift, scale):
    x = np.asarray(x, dtype=np.float64)
    shift = np.asarray(shift, dtype=np.float64)
    scale = np.asarray(scale, dtype=np.float64)
    per_sample = (x.shape[0],) + (1,) * (x.ndim - 2) + (x.shape[-1],)
    return x * scale.reshape(per_sample) + shift.reshape(per_sample)

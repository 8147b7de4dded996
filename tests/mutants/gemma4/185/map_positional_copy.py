"""Shared layer i reads layer i - n_shared (a positional copy), whatever that layer's type."""
from mlpapers.arguments import choice, integer, require
from mlpapers.gemma4.configs import FULL, SLIDING


def kv_sharing_map(layer_types, num_kv_shared_layers):
    types = [choice(t, f"layer_types[{i}]", (SLIDING, FULL)) for i, t in enumerate(layer_types)]
    L = len(types)
    n = integer(num_kv_shared_layers, "num_kv_shared_layers", low=0)
    require(n < L, "num_kv_shared_layers", f"smaller than the number of layers ({L})", n)
    require(set(types[L - n:]) <= set(types[:L - n]), "layer_types",
            f"such that every type among the last {n} layers also occurs before them", types)
    first = L - n
    return [i if i < first else i - n for i in range(L)]

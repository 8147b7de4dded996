"""What problem 408 is given from the Nemotron 3 chapter.

Problems build on each other: once an earlier problem is done, later ones may rely on it
without trusting your own version. This module holds the reference answers that
problem 408 uses, and nothing more:

* ``layer_counts``: a helper
"""
from __future__ import annotations

from mlpapers.arguments import generator, int_array, integer, real, real_array, require


__all__ = ["layer_counts"]


PATTERN_CHARS = {"M": "mamba", "E": "moe", "*": "attention", "-": "mlp"}


def layer_counts(pattern: str) -> dict[str, int]:
    """Problem 406. {"mamba": #M, "moe": #E, "attention": #*, "mlp": #-} of a hybrid_override_pattern."""
    if not isinstance(pattern, str):
        raise TypeError(f"pattern must be a str, got {type(pattern).__name__}")
    require(len(pattern) > 0, "pattern", "non-empty", repr(pattern))
    bad = sorted(set(pattern) - set(PATTERN_CHARS))
    require(not bad, "pattern", "made of the characters M, E, * and -", f"{bad}")
    return {name: pattern.count(ch) for ch, name in PATTERN_CHARS.items()}

"""The "test denoiser" of problem 415: a fake model that grows confident as the canvas fills up.

It stands in for DiffusionGemma's bidirectional denoiser in the adaptive-stopping problem. It
knows a fixed target canvas and returns logits that are zero everywhere except at the target
token of each position, where they equal ``scale * (1 + step) * (floor + agreement)`` with
``agreement`` the fraction of the row's canvas already equal to the target. The logits therefore
sharpen with the step (a crude stand-in for temperature annealing) and with the number of tokens
already in place (a stand-in for what a trained denoiser reads from its input). Nothing here is
a trained model or a solution of a problem.
"""
from __future__ import annotations

import numpy as np

__all__ = ["TargetDenoiser"]


class TargetDenoiser:
    """Callable ``fn(canvas, step) -> logits`` pulling every row towards one target canvas.

    Args:
        target: int (B, L) or (L,) target tokens, values in [0, vocab_size).
        vocab_size: V, the size of the last logits axis.
        scale: height of the target logit per step (3.0 in problem 415).
        floor: logit weight of an empty canvas (0.2 in problem 415).

    Attributes:
        calls: the step indices it was called with, in order (to test the sampler loop).

    Example:
        >>> fn = TargetDenoiser([[1, 2, 3, 0, 1]], vocab_size=4)
        >>> fn(np.zeros((1, 5), dtype=np.int64), 0).shape
        (1, 5, 4)
    """

    def __init__(self, target, vocab_size: int, scale: float = 3.0, floor: float = 0.2):
        target = np.asarray(target, dtype=np.int64)
        if target.ndim == 1:
            target = target[None, :]
        if target.ndim != 2:
            raise ValueError(f"target must have shape (B, L) or (L,), got {target.shape}")
        if target.min() < 0 or target.max() >= vocab_size:
            raise ValueError(f"target values must lie in [0, {vocab_size})")
        self.target = target
        self.vocab_size = int(vocab_size)
        self.scale = float(scale)
        self.floor = float(floor)
        self.calls: list[int] = []

    def __call__(self, canvas: np.ndarray, step: int) -> np.ndarray:
        """Logits float64 (B, L, V) for canvas int (B, L) at sampler step ``step``."""
        canvas = np.asarray(canvas)
        if canvas.shape != self.target.shape:
            raise ValueError(f"canvas must have shape {self.target.shape}, got {canvas.shape}")
        self.calls.append(int(step))
        agreement = np.mean(canvas == self.target, axis=-1)             # (B,)
        height = self.scale * (1 + step) * (self.floor + agreement)     # (B,)
        logits = np.zeros(self.target.shape + (self.vocab_size,))
        np.put_along_axis(logits, self.target[..., None],
                          np.broadcast_to(height[:, None, None], self.target.shape + (1,)), axis=-1)
        return logits

"""Drafters for problem 412's tests and explorer: objects with ``.draft(hidden_last, token_last, k)``.

:class:`CallableDrafter` gives a plain function the ``.draft`` method ``speculative_generate`` calls
(a test's function is run by the grader when the student's code calls it). :class:`OracleDrafter`
knows the target's greedy continuation and gets each draft right with probability alpha, so its
acceptance is i.i.d. as Leviathan et al.'s Eq. 1 assumes: a stand-in for a trained MTP head, not one.
"""
from __future__ import annotations

from typing import Callable

import torch

__all__ = ["K_MAX", "CallableDrafter", "OracleDrafter"]

#: the most drafts per step the explorer offers (an oracle can continue that far past the run)
K_MAX = 8


class CallableDrafter:
    """An object whose ``.draft(hidden_last, token_last, k)`` returns ``fn(hidden_last, token_last, k)``.

    ``speculative_generate`` calls ``drafter.draft``; this wraps any function (a bound
    ``MTPDrafter.draft``, a test's oracle) into that shape. Example:
    ``CallableDrafter(lambda h, t, k: torch.zeros(k, dtype=torch.int64)).draft(h, t, 2)`` -> ``tensor([0, 0])``.
    """

    def __init__(self, fn: Callable):
        self.fn = fn

    def draft(self, hidden_last, token_last, k):
        """The drafts ``fn`` returns for the last accepted position's hidden state and token."""
        return self.fn(hidden_last, token_last, k)


class OracleDrafter:
    """Drafts the target's greedy continuation, each draft right with probability ``alpha``.

    Args:
        target: ``target(ids (L,)) -> (logits (L, V), hidden (L, d))``.
        greedy_generate: ``greedy_generate(target, prompt, n) -> (n,)`` greedy tokens.
        prompt: (P,) int64.  n_tokens: tokens it must be able to continue (drafts reach n + k).
        alpha: probability that a draft is the target's token; a wrong draft is another token,
            uniform over the other V - 1.
        generator: torch.Generator for the right/wrong draws (two uniforms per draft).

    It finds where it is by the hidden state it is given (the nearest row of the target's hidden
    states along the greedy sequence), so a stale hidden state makes it draft for the wrong place.
    """

    def __init__(self, target: Callable, greedy_generate: Callable, prompt, n_tokens: int, alpha: float,
                 generator: torch.Generator, k_max: int = K_MAX):
        prompt = torch.as_tensor(prompt, dtype=torch.int64).cpu()
        tail = greedy_generate(target, prompt, int(n_tokens) + int(k_max) + 2)
        self.sequence = torch.cat([prompt, tail.to(torch.int64).cpu()])          # (P + n + k_max + 2,)
        logits, hidden = target(self.sequence)
        self.hidden = hidden.detach().double().cpu()                              # (L, d)
        self.vocab = int(logits.shape[-1])
        self.alpha = float(alpha)
        self.generator = generator

    def draft(self, hidden_last, token_last, k):
        h = torch.as_tensor(hidden_last).detach().double().cpu().reshape(1, -1)
        j = int(torch.cdist(h, self.hidden).argmin())                             # position of hidden_last
        out = []
        for i in range(int(k)):
            right = int(self.sequence[min(j + 2 + i, self.sequence.numel() - 1)])
            u, v = torch.rand(2, generator=self.generator, dtype=torch.float64).tolist()
            if u < self.alpha:
                out.append(right)
            else:                                                                 # any other token
                other = int(v * (self.vocab - 1))
                out.append(other if other < right else other + 1)
        return torch.tensor(out, dtype=torch.int64, device=torch.as_tensor(hidden_last).device)

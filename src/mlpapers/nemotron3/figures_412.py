"""Figure of problem 412 (speculative decoding), shown in its Background before the task.

Left: the expected tokens per target call of Leviathan et al.'s Eq. 1 against the number of drafts
k for three acceptance rates, with simulated points and the chapter's headline (alpha = 0.8, k = 3:
2.952). Right: the draft/verify timeline of a 20-token run on the problem's toy target with a
drafter that is right with probability 0.8 (``mlpapers.nemotron3.drafters.OracleDrafter``). Verification and the
generation loop are graded answers, so they come from the instructor's module through
``mlpapers.figures.reference("nemotron3")`` at render time, never from package code.
"""
from __future__ import annotations

import torch

from mlpapers.nemotron3.drafters import OracleDrafter
from mlpapers.nemotron3.speculative_widget import (N_TOKENS, PROMPT, draw_timeline, draw_yield,
                                                   record_run)


def draft_verify():
    """412: Eq. 1 against k, and one toy run's draft/verify timeline at alpha = 0.8, k = 3."""
    import matplotlib.pyplot as plt
    from mlpapers.figures import reference
    ref = reference("nemotron3")

    alpha, k = 0.8, 3
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(7.8, 3.9), gridspec_kw={"width_ratios": [1.3, 1.0]})
    draw_yield(ax1, ref.expected_tokens_per_step, ref.simulate_tokens_per_step, alpha, k)
    closed = ref.expected_tokens_per_step(alpha, k)
    ax1.annotate(f"α = 0.8, k = 3:\n{closed:.3f} tokens per call", xy=(k, closed), xytext=(4.3, 1.2), fontsize=7,
                 arrowprops=dict(arrowstyle="->", lw=0.6, color="0.3"))
    target = ref.toy_target()
    drafter = OracleDrafter(target, ref.greedy_generate, PROMPT, N_TOKENS, alpha, torch.Generator().manual_seed(7))
    tokens, stats, rows = record_run(ref.speculative_generate, target, drafter, PROMPT, N_TOKENS, k)
    draw_timeline(ax2, rows, k, first_token=int(tokens[0]))
    ax2.set_title(f"toy target, k = 3, drafts right w.p. 0.8:\n{N_TOKENS} tokens in {stats['target_calls']} "
                  f"target calls; green accepted,\nred rejected, grey discarded, blue the target's token",
                  fontsize=8)
    fig.subplots_adjust(left=0.08, right=0.98, bottom=0.13, top=0.84, wspace=0.28)
    return fig


FIGURES = {
    "412_draft_verify.png": draft_verify,
}

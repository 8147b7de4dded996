"""Explorer for problem 412: speculative decoding's yield and one toy run, draft by draft.

Two panels, computed from the student's functions:

* the expected tokens per verify step, (1 - alpha^(k+1)) / (1 - alpha) (Leviathan et al., Eq. 1),
  against the number of drafts k at the chosen acceptance rate alpha, with simulated points
  (``simulate_tokens_per_step``), the mean over 300 calls of the student's ``rejection_verify`` at
  the chosen k, and the mean of the student's ``speculative_generate`` on the toy target;
* the timeline of that toy run: one row per target call after the prefill, the drafts of the row
  (green accepted, red the first rejected, grey discarded after it) and the token the target adds
  (blue: the bonus when every draft was accepted, the correction otherwise).

The toy run uses ``mlpapers.nemotron3.drafters.OracleDrafter``: it knows the target's greedy
continuation and gets each draft right with probability alpha, so acceptance is i.i.d. as Eq. 1
assumes. It is a stand-in for a trained MTP head, not one.
"""
from __future__ import annotations

from typing import Callable

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import torch

from mlpapers.nemotron3.drafters import K_MAX, CallableDrafter, OracleDrafter
from mlpapers.widgetkit import Explorer

__all__ = ["K_MAX", "N_TOKENS", "PROMPT", "N_VERIFY", "COLOURS",
           "record_run", "draw_yield", "draw_timeline", "draw_speculative", "make_speculative_explorer"]

#: tokens generated in the toy run and its prompt (the spec's)
N_TOKENS = 20
PROMPT = (1, 4, 2, 7)
#: rejection_verify calls averaged for the marker at the chosen k
N_VERIFY = 300
COLOURS = {"accepted": "#59a14f", "rejected": "#e15759", "discarded": "#c8c8c8", "target": "#4e79a7"}


def record_run(speculative_generate: Callable, target: Callable, drafter, prompt, n_tokens: int, k: int):
    """Run the student's ``speculative_generate`` and rebuild its steps from the drafts and the output.

    Returns ``(tokens (n,), stats, rows)``; ``rows[j] = (drafts, n_accepted, emitted)`` for the j-th
    verify step, where ``n_accepted`` counts the leading drafts that the output confirms and
    ``emitted`` is the output token after them (None when the run ended first).
    """
    drafts_seen = []

    def draft(h, t, kk):
        d = drafter.draft(h, t, kk)
        drafts_seen.append([int(v) for v in d])
        return d

    prompt = torch.as_tensor(prompt, dtype=torch.int64)
    prompt = prompt.to(target(prompt)[0].device)                  # run on the target's device
    tokens, stats = speculative_generate(target, CallableDrafter(draft), prompt, n_tokens, k)
    out = [int(v) for v in tokens]
    rows, pos = [], 1                                       # out[0] comes from the prefill
    for d in drafts_seen:
        n = 0
        while n < len(d) and pos + n < len(out) and out[pos + n] == d[n]:
            n += 1
        emitted = out[pos + n] if pos + n < len(out) else None
        rows.append((d, n, emitted))
        pos += n + 1
    return tokens, stats, rows


def draw_yield(ax, expected_tokens_per_step: Callable, simulate_tokens_per_step: Callable, alpha: float, k: int,
               verify_mean: float | None = None, toy_mean: float | None = None) -> None:
    """Eq. 1 against k at ``alpha`` (line ``closed_form``), simulated points (``simulated``), markers at k."""
    ks = np.arange(0, K_MAX + 1)
    closed = np.array([expected_tokens_per_step(alpha, int(j)) for j in ks])
    sim = np.array([simulate_tokens_per_step(alpha, int(j), 4000, torch.Generator().manual_seed(int(j)))
                    for j in ks])
    for other in (0.6, 0.8, 0.9):
        if abs(other - alpha) > 1e-9:
            ax.plot(ks, [expected_tokens_per_step(other, int(j)) for j in ks], color="0.8", lw=0.8)
            ax.text(K_MAX + 0.1, expected_tokens_per_step(other, K_MAX), f"α={other:g}", fontsize=6, color="0.5",
                    va="center")
    ax.plot(ks, closed, "-", color="tab:blue", lw=1.5, label="Eq. 1: $(1-α^{k+1})/(1-α)$", gid="closed_form")
    ax.plot(ks, sim, "o", ms=3.5, color="tab:blue", mfc="white", label="simulated, 4000 steps", gid="simulated")
    if verify_mean is not None:
        ax.plot([k], [verify_mean], "D", ms=7, color="tab:orange", label=f"your rejection_verify ({N_VERIFY})",
                gid="verify_mean")
    if toy_mean is not None:
        ax.plot([k], [toy_mean], "*", ms=11, color="tab:green", label="toy run: 1 + mean accepted",
                gid="toy_mean")
    ax.axvline(k, color="0.6", ls=":", lw=0.8)
    ax.set_xlabel("drafts per step k")
    ax.set_ylabel("tokens per target call")
    ax.set_xlim(-0.3, K_MAX + 0.9)
    ax.set_ylim(0, K_MAX + 1.5)
    ax.grid(True, lw=0.3, alpha=0.6)
    ax.legend(fontsize=6.5, loc="upper left", frameon=False)
    ax.set_title(f"α = {alpha:.2f}, k = {k}: Eq. 1 gives {expected_tokens_per_step(alpha, k):.3f}", fontsize=9)


def draw_timeline(ax, rows, k: int, first_token: int | None = None, max_rows: int = 20) -> None:
    """One row per verify step: drafts (green/red/grey) then the target's token (blue), ids written in."""
    from matplotlib.patches import Rectangle
    shown = rows[:max_rows]
    for r, (drafts, n_acc, emitted) in enumerate(shown):
        for i, d in enumerate(drafts):
            kind = "accepted" if i < n_acc else ("rejected" if i == n_acc and emitted is not None else "discarded")
            ax.add_artist(Rectangle((i, r), 0.92, 0.86, color=COLOURS[kind], gid=f"cell_{r}_{i}_{kind}"))
            ax.text(i + 0.46, r + 0.43, str(d), ha="center", va="center", fontsize=6.5,
                    color="white" if kind != "discarded" else "0.3")
        if emitted is not None:
            ax.add_artist(Rectangle((k + 0.25, r), 0.92, 0.86, color=COLOURS["target"], gid=f"cell_{r}_target"))
            ax.text(k + 0.71, r + 0.43, str(emitted), ha="center", va="center", fontsize=6.5, color="white")
    ax.set_xlim(-0.1, k + 1.3)
    ax.set_ylim(max(len(shown), 1) + 0.1, -0.1)
    ax.set_xticks([i + 0.46 for i in range(k)] + [k + 0.71])
    ax.set_xticklabels([f"d{i}" for i in range(k)] + ["target"], fontsize=7)
    ax.set_yticks([r + 0.43 for r in range(len(shown))])
    ax.set_yticklabels([str(r + 1) for r in range(len(shown))], fontsize=6)
    ax.set_ylabel("verify step (target call after the prefill)", fontsize=7)
    ax.tick_params(length=0)
    for side in ("top", "right", "bottom", "left"):
        ax.spines[side].set_visible(False)
    start = f"prefill gave {first_token}; " if first_token is not None else ""
    ax.set_title(f"{start}green accepted, red rejected,\ngrey discarded, blue the target's token", fontsize=8)


def draw_speculative(*, expected_tokens_per_step: Callable, simulate_tokens_per_step: Callable,
                     rejection_verify: Callable, speculative_generate: Callable, greedy_generate: Callable,
                     target: Callable, alpha: float = 0.8, k: int = 3):
    """Both panels for acceptance rate ``alpha`` and ``k`` drafts; returns ``(figure, readout)``."""
    alpha, k = float(alpha), int(k)
    # rejection_verify with i.i.d. acceptance alpha: q puts all mass on token 0, p gives it alpha
    vocab = 4
    q = torch.zeros(k, vocab, dtype=torch.float64)
    q[:, 0] = 1.0
    p = torch.full((k + 1, vocab), (1.0 - alpha) / (vocab - 1), dtype=torch.float64)
    p[:, 0] = alpha
    g = torch.Generator().manual_seed(412)
    drafts = torch.zeros(k, dtype=torch.int64)
    lengths = [len(rejection_verify(drafts, q, p, g)[0]) for _ in range(N_VERIFY)]
    verify_mean = float(np.mean(lengths))

    drafter = OracleDrafter(target, greedy_generate, PROMPT, N_TOKENS, alpha, torch.Generator().manual_seed(7))
    tokens, stats, rows = record_run(speculative_generate, target, drafter, PROMPT, N_TOKENS, k)
    greedy = drafter.sequence[len(PROMPT):len(PROMPT) + N_TOKENS]             # the target's greedy tokens
    same = bool(torch.equal(torch.as_tensor(tokens).cpu(), greedy.cpu()))
    toy_mean = 1.0 + float(stats["mean_accepted"]) if stats["verify_steps"] else None

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(7.8, 3.9), gridspec_kw={"width_ratios": [1.3, 1.0]})
    draw_yield(ax1, expected_tokens_per_step, simulate_tokens_per_step, alpha, k, verify_mean, toy_mean)
    draw_timeline(ax2, rows, k, first_token=int(tokens[0]))
    fig.subplots_adjust(left=0.08, right=0.98, bottom=0.13, top=0.86, wspace=0.28)

    closed = expected_tokens_per_step(alpha, k)
    readout = (f"α = {alpha:.2f}, k = {k}: Eq. 1 expects {closed:.3f} tokens per target call\n"
               f"  your rejection_verify, {N_VERIFY} steps: {verify_mean:.3f} tokens per call\n"
               f"  toy run, {N_TOKENS} tokens: {stats['target_calls']} target calls "
               f"({stats['verify_steps']} verify steps + prefill), mean accepted "
               f"{float(stats['mean_accepted']):.2f} -> {toy_mean if toy_mean is None else round(toy_mean, 2)} "
               f"tokens per verify step\n"
               f"  same tokens as greedy decoding: {'yes' if same else 'NO'}")
    return fig, readout


def make_speculative_explorer(rejection_verify: Callable, speculative_generate: Callable, *,
                              expected_tokens_per_step: Callable, simulate_tokens_per_step: Callable,
                              greedy_generate: Callable, target: Callable) -> Explorer:
    """Explorer with an acceptance-rate slider ``alpha`` (0 ... 1) and a drafts slider ``k`` (0 ... 8).

    Example: ``make_speculative_explorer(rejection_verify, speculative_generate, expected_tokens_per_step=...,
    simulate_tokens_per_step=..., greedy_generate=..., target=toy_target()).show(interactive)``
    """
    controls = {
        "alpha": widgets.FloatSlider(value=0.8, min=0.0, max=1.0, step=0.05, description="α",
                                     continuous_update=False, readout_format=".2f"),
        "k": widgets.IntSlider(value=3, min=0, max=K_MAX, description="drafts k", continuous_update=False),
    }

    def draw(**values):
        return draw_speculative(expected_tokens_per_step=expected_tokens_per_step,
                                simulate_tokens_per_step=simulate_tokens_per_step, rejection_verify=rejection_verify,
                                speculative_generate=speculative_generate, greedy_generate=greedy_generate,
                                target=target, **values)

    return Explorer(draw, controls, title="Speculative decoding: acceptance rate α and drafts k")

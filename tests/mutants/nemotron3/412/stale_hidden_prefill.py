"""Stale hidden state: the drafter always gets the prefill's last hidden state, never hidden[n0 + n_accepted]."""
import torch


def speculative_generate(target, drafter, prompt, max_new_tokens, k):
    n = int(max_new_tokens)
    logits, hidden = target(prompt)
    t, h = logits[-1].argmax().reshape(()), hidden[-1]
    out = [int(t)]
    stats = {"target_calls": 1, "verify_steps": 0, "accepted_drafts": 0}
    while len(out) < n:
        drafts = drafter.draft(h, t, k).to(prompt.device, torch.int64)
        ids = torch.cat([prompt, torch.tensor(out, dtype=prompt.dtype, device=prompt.device), drafts.to(prompt.dtype)])
        logits, hidden = target(ids)
        stats["target_calls"] += 1
        n0 = prompt.numel() + len(out) - 1
        emitted, accepted = greedy_verify(drafts, logits[n0:n0 + k + 1])
        out.extend(int(v) for v in emitted)
        stats["verify_steps"] += 1
        stats["accepted_drafts"] += accepted
        t = emitted[-1].reshape(())                             # h is never updated
    steps = stats["verify_steps"]
    stats["mean_accepted"] = stats["accepted_drafts"] / steps if steps else 0.0
    return torch.tensor(out[:n], dtype=torch.int64, device=prompt.device), stats

"""Verifying logits at the wrong offset: rows n0 + 1 .. n0 + k + 1 (n0 = len(prompt) + len(out)), one too far."""
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
        n0 = prompt.numel() + len(out)                          # should be ... - 1
        rows = logits[n0:n0 + k + 1]
        if rows.shape[0] < k + 1:                               # ran off the end: pad with the last row
            rows = torch.cat([rows, logits[-1:].expand(k + 1 - rows.shape[0], -1)])
        emitted, accepted = greedy_verify(drafts, rows)
        out.extend(int(v) for v in emitted)
        stats["verify_steps"] += 1
        stats["accepted_drafts"] += accepted
        h, t = hidden[min(n0 + accepted, hidden.shape[0] - 1)], emitted[-1].reshape(())
    steps = stats["verify_steps"]
    stats["mean_accepted"] = stats["accepted_drafts"] / steps if steps else 0.0
    return torch.tensor(out[:n], dtype=torch.int64, device=prompt.device), stats

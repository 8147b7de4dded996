"""Dropping the bonus token: when all k drafts are accepted, greedy_verify emits only the drafts."""
import torch


def greedy_verify(draft_tokens, target_logits):
    logits = target_logits
    drafts = draft_tokens.to(torch.int64).cpu()
    k = drafts.shape[0]
    best = logits.argmax(dim=-1).to(torch.int64).cpu()
    n = 0
    while n < k and int(drafts[n]) == int(best[n]):
        n += 1
    if n == k:
        return drafts.to(logits.device), n                      # the bonus argmax of row k is lost
    return torch.cat([drafts[:n], best[n:n + 1]]).to(logits.device), n

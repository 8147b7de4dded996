"""Acceptance test upside down: accept d_i iff u_i < q_i(d_i) / p_i(d_i) instead of u_i < p_i(d_i) / q_i(d_i)."""
import torch


def rejection_verify(draft_tokens, draft_probs, target_probs, generator):
    q, p = draft_probs, target_probs
    k, V = q.shape
    drafted = [int(v) for v in draft_tokens]
    u = torch.rand(k + 1, generator=generator, dtype=torch.float64)
    p64, q64 = p.double().cpu(), q.double().cpu()

    def inverse_cdf(w):
        c = torch.cumsum(w, dim=0)
        return int(torch.nonzero(c > u[k] * c[-1])[0, 0])

    out = []
    for i, d in enumerate(drafted):
        if u[i] * p64[i, d] < q64[i, d]:                        # should be u q < p
            out.append(d)
            continue
        out.append(inverse_cdf(torch.clamp(p64[i] - q64[i], min=0.0)))
        return torch.tensor(out, dtype=torch.int64, device=p.device), i
    out.append(inverse_cdf(p64[k]))
    return torch.tensor(out, dtype=torch.int64, device=p.device), k

"""After a rejection, the replacement token is drawn from p_i itself instead of the residual max(0, p_i - q_i)."""
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
        if u[i] * q64[i, d] < p64[i, d]:
            out.append(d)
            continue
        out.append(inverse_cdf(p64[i]))                         # should be the residual max(0, p - q)
        return torch.tensor(out, dtype=torch.int64, device=p.device), i
    out.append(inverse_cdf(p64[k]))
    return torch.tensor(out, dtype=torch.int64, device=p.device), k

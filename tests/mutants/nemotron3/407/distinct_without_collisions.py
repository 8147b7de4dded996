"""E[#distinct experts] = min(N, B K): ignores that two tokens may pick the same expert."""


def expected_active_experts(batch_tokens, n_experts, top_k):
    if top_k > n_experts:
        raise ValueError("top_k must be <= n_experts")
    return float(min(n_experts, batch_tokens * top_k))

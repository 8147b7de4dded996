"""Figure of problem 409 (sigmoid routing with a balancing bias), shown in its Background before the task.

Left: one token's sigmoid affinities s_i and biased scores s_i + b_i; the top-2 is chosen on the
biased scores, the weights come from the unbiased ones. Right: the per-expert load of the
widget's skewed toy router over 300 bias updates at Nemotron 3 Nano's rate u = 1e-3. Routing and
bias updates are graded answers, so they come from the instructor's module through
``mlpapers.figures.reference("nemotron3")`` at render time, never from package code.
"""
from __future__ import annotations

import numpy as np

from mlpapers.nemotron3.routing_widget import N_EXPERTS, STEPS, TOKENS, TOP_K, simulate_loads

#: the left panel's token: d = 1 and x = [1], so the router's column is the token's logits
EXAMPLE_LOGITS = np.array([1.2, 0.3, -0.4, 0.9, -1.0, 0.5, 0.6, -0.2])
EXAMPLE_BIAS = np.array([-0.05, 0.02, 0.1, -0.12, 0.15, 0.08, -0.06, 0.04])
EXAMPLE_RHO = 2.5


def bias_choice_and_loads():
    """409: biased choice versus unbiased weights for one token; loads over bias-update steps."""
    import matplotlib.pyplot as plt
    from matplotlib.colors import TwoSlopeNorm
    from mlpapers.figures import reference
    ref = reference("nemotron3")

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(7.8, 3.4), gridspec_kw={"width_ratios": [1.0, 1.25]})
    n = EXAMPLE_LOGITS.size
    s = 1.0 / (1.0 + np.exp(-EXAMPLE_LOGITS))
    idx, weights = ref.route_tokens([[1.0]], EXAMPLE_LOGITS[:, None], EXAMPLE_BIAS, 2, EXAMPLE_RHO)
    idx, weights = idx[0], weights[0]
    experts = np.arange(n)
    ax1.bar(experts - 0.2, s, width=0.4, color="tab:blue", label="$s_i = \\sigma(x \\cdot w_i)$")
    ax1.bar(experts + 0.2, s + EXAMPLE_BIAS, width=0.4, color="tab:orange", label="$s_i + b_i$ (choice only)")
    for rank, (i, g) in enumerate(zip(idx, weights)):
        ax1.annotate(f"#{rank + 1}\n$g$ = {g:.2f}", xy=(i + 0.2, s[i] + EXAMPLE_BIAS[i]), xytext=(0, 4),
                     textcoords="offset points", ha="center", va="bottom", fontsize=7)
    ax1.annotate("2nd-highest $s$,\nbut $b_3 < 0$:\nnot chosen", xy=(3 - 0.2, s[3]), xytext=(1.7, 0.93),
                 fontsize=7, ha="center", arrowprops=dict(arrowstyle="->", lw=0.6, color="0.3"))
    ax1.set_xticks(experts)
    ax1.set_ylim(0, 1.3)
    ax1.set_xlabel("expert i", fontsize=8)
    ax1.set_title(f"one token, top-2 on $s + b$: experts {idx[0]}, {idx[1]}\n"
                  f"weights from $s$, normalised, times $\\rho$ = {EXAMPLE_RHO:g}", fontsize=8)
    ax1.legend(fontsize=7, frameon=False, loc="upper right", bbox_to_anchor=(1.0, 1.0))
    ax1.tick_params(labelsize=7)

    loads, _biases = simulate_loads(ref.route_tokens, ref.expert_counts, ref.update_expert_bias, update_rate=1e-3)
    ratio = loads.T / loads.mean(axis=1)                           # (N, steps): load / mean load
    image = ax2.imshow(ratio, aspect="auto", cmap="RdBu_r", norm=TwoSlopeNorm(vcenter=1.0, vmin=0.0, vmax=3.0),
                       extent=(0.5, STEPS + 0.5, N_EXPERTS - 0.5, -0.5), interpolation="nearest")
    bar = fig.colorbar(image, ax=ax2, fraction=0.05, pad=0.02, ticks=[0, 0.5, 1, 2, 3])
    bar.set_label("load / mean load", fontsize=7)
    bar.ax.tick_params(labelsize=7)
    ax2.set_xlabel("bias-update step (u = 1e-3, a fresh batch each step)", fontsize=8)
    ax2.set_ylabel("expert i", fontsize=8)
    ax2.set_title(f"skewed toy router, {N_EXPERTS} experts, top-{TOP_K} of {TOKENS} tokens:\n"
                  f"max/mean load {loads[0].max() / loads[0].mean():.2f} at step 1, "
                  f"{(loads[-50:].max(axis=1) / loads[-50:].mean(axis=1)).mean():.2f} over the last 50",
                  fontsize=8)
    ax2.tick_params(labelsize=7)
    fig.subplots_adjust(left=0.06, right=0.93, bottom=0.15, top=0.85, wspace=0.25)
    return fig


FIGURES = {
    "409_bias_choice_and_loads.png": bias_choice_and_loads,
}

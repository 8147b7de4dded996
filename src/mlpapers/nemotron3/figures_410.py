"""Figure of problem 410 (a LatentMoE layer), shown in its Background before the task.

``410_latent_moe_flow.png``: the data flow of one Super-style MoE sub-layer. The router and the
shared expert read the full-width token x (width d); the routed path goes down to the latent width
l, through the k chosen non-gated ReLU^2 experts, is summed with the routing weights and goes back
up to d. A drawing only: no graded answer is computed.
"""
from __future__ import annotations


def latent_moe_flow():
    """410: boxes and arrows of y = W_up sum_i g_i e_i(W_down x) + shared(x), router on x."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    fig, ax = plt.subplots(figsize=(8.0, 3.9))
    ax.set_xlim(0, 100)
    ax.set_ylim(0, 54)
    ax.axis("off")

    full, latent, route, shared = "#dbe9f6", "#fde3c8", "#e2f0d9", "#eeeeee"

    def box(x, y, w, h, text, colour, size=8, edge="0.3", lw=0.8):
        ax.add_patch(FancyBboxPatch((x, y), w, h, boxstyle="round,pad=0.4", fc=colour, ec=edge, lw=lw))
        ax.text(x + w / 2, y + h / 2, text, ha="center", va="center", fontsize=size)

    def arrow(a, b, colour="0.25", style="-|>", ls="-", rad=0.0):
        ax.add_patch(FancyArrowPatch(a, b, arrowstyle=style, mutation_scale=9, color=colour, lw=0.9,
                                     linestyle=ls, connectionstyle=f"arc3,rad={rad}"))

    # input and the three readers of x
    box(1, 22, 7, 6, "x\n(d)", full, 9)
    box(13, 39, 22, 8, "router on x (width d)\ns = σ(W_r x), top-k of s + b\ng = ρ·s / Σ_S s  (b: choice only)", route, 7)
    box(13, 22, 11, 6, "W↓  (l × d)\nz = W↓ x", latent, 7.5)
    box(13, 2, 30, 7, "shared expert on x (width d):  D_s relu(U_s x)²", shared, 7.5)
    arrow((8.6, 27), (12.6, 42))
    arrow((8.6, 25), (12.6, 25))
    arrow((8.6, 23), (12.6, 6))

    # the experts in latent space: k of N chosen
    chosen = {1, 3, 4}
    ys = [45, 39.5, 34, 28.5, 23, 17.5, 12]
    for i, y in enumerate(ys):
        on = i in chosen
        box(38, y - 2, 16, 3.6, f"e{i + 1}(z) = D{i + 1} relu(U{i + 1} z)²" if i < 6 else "…  (N experts)",
            latent if on else "white", 6.5, edge="0.2" if on else "0.7", lw=1.2 if on else 0.6)
        if on:
            arrow((24.6, 25), (37.6, y), colour="tab:orange", rad=0.0)
    ax.text(46, 48.3, "latent space (width l): k of N experts run", ha="center", fontsize=7.5, color="tab:orange")
    ax.text(19, 33.5, "dispatch z to\nthe chosen S(x)", fontsize=6.5, color="tab:orange", ha="center")

    # combine, up-project, add shared
    box(60, 22, 13, 6, "Σ_{i∈S} g_i e_i(z)\n(index_add_, width l)", latent, 7)
    for i in chosen:
        arrow((54.8, ys[i]), (59.6, 25), colour="tab:orange")
    ax.plot([24, 24, 66.5], [47.6, 51.8, 51.8], color="tab:green", lw=0.9, ls="--")
    arrow((66.5, 51.8), (66.5, 28.6), colour="tab:green", ls="--")
    ax.text(45, 52.3, "choice S(x) and weights g_i(x), both from x", fontsize=7, color="tab:green", ha="center")
    box(77, 22, 9, 6, "W↑  (d × l)", latent, 7.5)
    arrow((73.6, 25), (76.6, 25))
    ax.add_patch(plt.Circle((90, 25), 1.8, fc="white", ec="0.3", lw=0.8))
    ax.text(90, 25, "+", ha="center", va="center", fontsize=10)
    arrow((86.6, 25), (88.1, 25))
    arrow((43.6, 5.5), (90, 23.1), rad=0.25)
    box(94, 22, 4.5, 6, "y\n(d)", full, 9)
    arrow((91.9, 25), (93.6, 25))

    ax.text(60, 15.5, "expert weights and dispatched activations shrink by d / l\n"
                      "(Super: d = 4096, l = 1024, 512 experts, top-22)", fontsize=7, color="0.25", ha="left")
    fig.tight_layout(pad=0.2)
    return fig


FIGURES = {
    "410_latent_moe_flow.png": latent_moe_flow,
}

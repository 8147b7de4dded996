"""Figure of problem 407 (the MoE roofline), shown in its Background before the task.

``407_moe_roofline.png``: left, the roofline of an illustrative H100 with Nemotron 3 Super's routed
experts as a standard layer (experts at d = 4096) and as a LatentMoE layer (l = 1024) at 1, 64 and
16384 batch tokens; right, the expected number of distinct experts 64 ... 65536 tokens touch against
the count without collisions, min(N, B K). Both use graded answers of the problem, so they come from
the instructor's module through ``mlpapers.figures.reference("nemotron3")`` at render time.
"""
from __future__ import annotations

import numpy as np

from mlpapers.nemotron3.roofline_widget import BATCHES, COLOURS, LAYER, plot_roofline

MARKED = (1, 64, 16384)


def moe_roofline_figure():
    """407: the two designs on the roofline at three batch sizes, and E[#distinct experts] against B."""
    import matplotlib.pyplot as plt
    from mlpapers.figures import reference
    ref = reference("nemotron3")

    fig, (ax, ax_e) = plt.subplots(1, 2, figsize=(8.0, 3.5), gridspec_kw={"width_ratios": [1.5, 1.0]})
    paths = plot_roofline(ax, ref.moe_roofline, 22, 1024, 2.0, marked=MARKED)
    for b in MARKED:
        r = paths["latent"][BATCHES.index(b)]
        ax.annotate(f"B = {b}", (r["intensity"], r["flops"] / r["time_s"]), xytext=(8, -13),
                    textcoords="offset points", fontsize=7)
    ax.legend(fontsize=7, loc="upper left")
    ax.set_title("Super's routed experts, top-22 of 512, BF16", fontsize=9)

    n, k = LAYER["n_experts"], 22
    b = np.array(BATCHES, dtype=float)
    active = [ref.expected_active_experts(int(x), n, k) for x in BATCHES]
    ax_e.semilogx(b, np.minimum(n, b * k), "--", color="0.5", lw=1.0, label="min(N, B K): no collisions")
    ax_e.semilogx(b, active, "o-", ms=2.5, lw=1.2, color=COLOURS["latent"], label="E[# distinct experts]")
    ax_e.axhline(n, color="0.7", lw=0.6, ls=":")
    ax_e.set_ylim(0, 1.08 * n)
    ax_e.set_xticks([1, 16, 256, 4096, 65536], ["1", "16", "256", "4096", "65536"])
    ax_e.set_xlabel("batch tokens B")
    ax_e.set_ylabel("experts whose weights are read")
    ax_e.set_title(f"N = {n}, K = {k}, uniform routing", fontsize=9)
    ax_e.grid(True, which="major", lw=0.3, alpha=0.6)
    ax_e.legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    return fig


FIGURES = {
    "407_moe_roofline.png": moe_roofline_figure,
}

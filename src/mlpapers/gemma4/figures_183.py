"""Figure of problem 183 (proportional RoPE), shown in its Background before the task.

The frequencies are the instructor's ``rope_inv_freq`` and ``apply_rope``, loaded through
``mlpapers.figures.reference("gemma4")`` when the figure is rendered; nothing here computes them.
"""
from __future__ import annotations

import numpy as np

D, P, THETA = 512, 0.25, 1e6          # a Gemma 4 global (full-attention) layer


def rotated_pairs():
    """183: inverse frequency per pair, default vs proportional RoPE (d = 512, p = 0.25, theta = 1e6),
    and which of the 512 dimensions of a head move."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    from mlpapers.figures import reference

    ref = reference("gemma4")
    full = ref.rope_inv_freq(D, THETA)                               # (256,)
    prop = ref.rope_inv_freq(D, THETA, P, "proportional")            # (256,)
    pairs = np.arange(D // 2)
    n_rot = int(np.count_nonzero(prop))
    # which dimensions move: apply_rope at position 1 to the all-ones vector, compare with it
    moved = ~np.isclose(ref.apply_rope(np.ones((1, 1, D)), np.array([1]), prop)[0, 0], 1.0)

    fig = plt.figure(figsize=(6.4, 4.4))
    ax = fig.add_axes([0.12, 0.45, 0.84, 0.47])
    floor = 1e-8                                                     # where omega = 0 is drawn
    ax.semilogy(pairs, full, color="0.6", lw=2.2, label="default RoPE: all 256 pairs turn")
    ax.semilogy(pairs[:n_rot], prop[:n_rot], color="tab:blue", lw=1.6,
                label=f"proportional, p = {P}: pairs 0-{n_rot - 1} turn")
    ax.plot(pairs[n_rot:], np.full(D // 2 - n_rot, floor), ls="none", marker="_", ms=4, color="tab:red",
            label=f"proportional: pairs {n_rot}-{D // 2 - 1} have $\\omega_i = 0$")
    ax.axvline(n_rot - 0.5, color="0.3", ls=":", lw=1)
    for i, ha in ((0, "left"), (n_rot - 1, "left"), (D // 2 - 1, "right")):
        ax.annotate(f"pair {i}: period {2 * np.pi / full[i]:,.0f} tokens" if i else
                    f"pair 0: period {2 * np.pi / full[0]:.1f} tokens",
                    xy=(i, full[i]), xytext=(i + (6 if ha == "left" else -4), full[i] * (3 if i else 0.02)),
                    fontsize=7, ha=ha, va="center")
    ax.set_ylim(floor / 3, 4)
    ax.set_xlim(-4, D // 2 + 3)
    ax.set_yticks([1e-8, 1e-6, 1e-4, 1e-2, 1])
    ax.set_yticklabels(["0", "$10^{-6}$", "$10^{-4}$", "$10^{-2}$", "1"])
    ax.set_xlabel("pair i (dimension i rotates with dimension i + 256)", fontsize=8)
    ax.set_ylabel("$\\omega_i$ (rad / token)", fontsize=8)
    ax.tick_params(labelsize=7)
    ax.minorticks_off()
    ax.legend(fontsize=7, loc="upper right", frameon=False)
    ax.set_title(f"Gemma 4 global layer (d = {D}, $\\theta$ = $10^6$): only the {n_rot} fastest pairs turn",
                 fontsize=9)

    strip = fig.add_axes([0.12, 0.07, 0.84, 0.17])
    rows = ((1.2, moved, "tab:blue", "Gemma 4 (pairs i, i+256)"),
            (0.0, np.arange(D) < 2 * n_rot, "0.55", "NeoX-style block (not Gemma 4)"))
    for y, mask, colour, label in rows:
        strip.add_patch(Rectangle((0, y), D, 0.8, facecolor="white", edgecolor="0.4", lw=0.6))
        starts = np.flatnonzero(np.diff(np.concatenate([[0], mask.astype(int), [0]])) == 1)
        ends = np.flatnonzero(np.diff(np.concatenate([[0], mask.astype(int), [0]])) == -1)
        for a, b in zip(starts, ends):
            strip.add_patch(Rectangle((a, y), b - a, 0.8, facecolor=colour, edgecolor="none"))
            strip.text((a + b) / 2, y + 0.4, f"{a}-{b - 1}", fontsize=7, ha="center", va="center", color="white")
        strip.text(-6, y + 0.4, label, fontsize=7, ha="right", va="center")
    strip.set_xlim(0, D)
    strip.set_ylim(-0.1, 2.1)
    strip.set_yticks([])
    strip.set_xticks([0, 64, 128, 256, 320, 512])
    strip.tick_params(labelsize=7)
    strip.set_xlabel("dimension of the 512-d head vector (coloured: moved by RoPE)", fontsize=8)
    for side in ("top", "right", "left"):
        strip.spines[side].set_visible(False)
    strip.set_position([0.36, 0.1, 0.6, 0.15])
    return fig


FIGURES = {
    "183_rotated_pairs.png": rotated_pairs,
}

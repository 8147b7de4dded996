"""Figure of problem 419 (Mamba-2's selective scan), shown in its Background before the task.

Left: the decay matrix exp(a_{τ+1} + ... + a_t) of one head for 24 tokens, cut into chunks of 8:
the chunked algorithm computes the triangular blocks on the diagonal directly and reaches every
block below them through the state carried across a chunk edge. Right: the state H_t of the same
head over time, from the explorer's inputs. The scan is a graded answer, so the state comes from
the instructor's module through ``mlpapers.figures.reference("nemotron3")`` at render time.
"""
from __future__ import annotations

import numpy as np

from mlpapers.nemotron3.scan_widget import LENGTH, N, P, decode_states, example_inputs

TOKENS, CHUNK, NEG_A = 24, 8, 0.15


def ssd_chunks():
    """419: the lower-triangular decay matrix with its chunk blocks, and one head's state over time."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import Polygon, Rectangle
    from mlpapers.figures import reference
    ref = reference("nemotron3")

    x, dt_raw, B, C = example_inputs(spike=12)
    dt = ref.mamba2_dt(dt_raw, [0.0])                                    # (L, 1)
    a = -NEG_A * dt[:TOKENS, 0]                                         # a_t = Δ_t A
    cum = np.cumsum(a)
    causal = np.tril(np.ones((TOKENS, TOKENS), dtype=bool))
    decay = np.where(causal, np.exp(np.where(causal, cum[:, None] - cum[None, :], 0.0)), np.nan)

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(7.8, 3.6), gridspec_kw={"width_ratios": [1.0, 1.25]})
    image = ax1.imshow(decay, cmap="Greens", vmin=0.0, vmax=1.0, interpolation="nearest")
    fig.colorbar(image, ax=ax1, fraction=0.046, pad=0.03)
    n_chunks = TOKENS // CHUNK
    for i in range(n_chunks):
        s = i * CHUNK - 0.5
        ax1.add_patch(Polygon([(s, s), (s, s + CHUNK), (s + CHUNK, s + CHUNK)], closed=True, fill=False,
                              ec="tab:orange", lw=2.0))
        for j in range(i):
            ax1.add_patch(Rectangle((j * CHUNK - 0.5, s), CHUNK, CHUNK, fill=False, ec="tab:blue", lw=1.2,
                                    ls="--"))
    ax1.text(CHUNK * 0.15, CHUNK * 2.55, "through the\ncarried state", color="tab:blue", fontsize=7,
             va="center")
    ax1.text(CHUNK * 1.45, CHUNK * 0.9, "inside a\nchunk", color="tab:orange", fontsize=7, va="center")
    ax1.set_xlabel("source token τ")
    ax1.set_ylabel("output token t")
    ax1.set_title(f"decay exp($c_t - c_τ$), τ ≤ t\n(A = −{NEG_A:g}, chunks of {CHUNK})", fontsize=9)

    states = decode_states(ref.ssd_recurrent, x, dt, np.array([-0.1]), B, C)   # (L, P, N)
    grid = states.reshape(LENGTH, P * N).T
    vmax = float(np.abs(grid).max())
    image2 = ax2.imshow(grid, aspect="auto", cmap="RdBu_r", vmin=-vmax, vmax=vmax, interpolation="nearest",
                        extent=(-0.5, LENGTH - 0.5, P * N - 0.5, -0.5))
    fig.colorbar(image2, ax=ax2, fraction=0.046, pad=0.03)
    ax2.axvline(12, color="k", lw=0.8, ls="--")
    ax2.text(12.8, P * N - 0.9, "spike x", fontsize=7)
    ax2.set_yticks(range(P * N), [f"({p},{n})" for p in range(P) for n in range(N)], fontsize=7)
    ax2.set_xlabel("token t")
    ax2.set_ylabel("state entry (p, n)")
    ax2.set_title(f"state $H_t$ of one head (P = {P}, N = {N}), A = −0.1:\n"
                  "written at the spike, then fading", fontsize=9)
    fig.subplots_adjust(left=0.07, right=0.93, bottom=0.14, top=0.85, wspace=0.4)
    return fig


FIGURES = {"419_ssd_chunks.png": ssd_chunks}

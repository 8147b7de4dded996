"""Figure shown in the Background of problem 182 (RMSNorm, the Gemma 4 way), before the task.

The normalised values are taken from the instructor's module through
``mlpapers.figures.reference("gemma4")`` when the figure is rendered, never computed here.
"""
from __future__ import annotations

import numpy as np

#: the 8-dimensional example vector of the figure (RMS 2.0 exactly: sum of squares 32)
EXAMPLE = np.array([3.0, -1.0, 1.5, 2.5, -3.5, 0.5, 0.0, -1.0])


def rms_norm_idea():
    """182: a vector before and after RMSNorm; the scale of one entry under Gemma 4's w and Gemma 3's 1 + w."""
    import matplotlib.pyplot as plt
    from mlpapers.figures import reference
    ref = reference("gemma4")
    x = EXAMPLE
    rms = float(np.sqrt(np.mean(x ** 2)))
    y = ref.rms_norm(x, eps=0.0)                                   # scale-free
    s = np.linspace(-1.0, 2.0, 61)                                 # stored weight of entry 0
    w = np.ones((s.size, x.size))
    w[:, 0] = s                                                    # one weight vector per value of s
    gemma4 = np.array([ref.rms_norm(x, row, 0.0)[0] for row in w])
    gemma3 = np.array([ref.rms_norm(x, 1.0 + row, 0.0)[0] for row in w])

    fig, (a0, a1) = plt.subplots(1, 2, figsize=(7.6, 3.2), gridspec_kw={"width_ratios": [1.35, 1]})
    i = np.arange(x.size)
    a0.bar(i - 0.2, x, width=0.4, color="0.7", label=f"input x (RMS {rms:g})")
    a0.bar(i + 0.2, y, width=0.4, color="tab:blue", label="x / RMS(x)  (RMS 1)")
    a0.axhline(0, color="0.4", lw=0.6)
    a0.set_xticks(i)
    a0.set_xlabel("entry i (D = 8)")
    a0.set_ylabel("value")
    a0.set_title("RMSNorm divides by the root mean square", fontsize=9)
    a0.legend(fontsize=7, loc="lower left")

    a1.plot(s, gemma4, color="tab:blue", lw=2, label="Gemma 4: × w")
    a1.plot(s, gemma3, color="tab:orange", lw=2, ls="--", label="Gemma 1–3: × (1 + w)")
    a1.axhline(0, color="0.4", lw=0.6)
    a1.plot([1.0], [y[0]], "o", color="tab:blue", ms=6)
    a1.plot([0.0], [y[0]], "s", color="tab:orange", ms=6)
    a1.annotate("Gemma 4 init: w = 1", (1.0, y[0]), xytext=(0.5, -0.7), fontsize=7, color="tab:blue",
                arrowprops=dict(arrowstyle="-", color="tab:blue", lw=0.6))
    a1.annotate("Gemma 3 init: w = 0", (0.0, y[0]), xytext=(-0.95, 2.4), fontsize=7, color="tab:orange",
                arrowprops=dict(arrowstyle="-", color="tab:orange", lw=0.6))
    a1.set_xlabel("stored weight w of entry 0")
    a1.set_ylabel("output of entry 0")
    a1.set_title("Same stored number, two meanings", fontsize=9)
    a1.legend(fontsize=7, loc="upper left")
    fig.tight_layout()
    return fig


FIGURES = {
    "182_rms_norm_idea.png": rms_norm_idea,
}

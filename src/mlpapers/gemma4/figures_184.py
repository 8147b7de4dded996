"""Figure of problem 184 (per-layer embeddings), shown in its Background before the task.

One diagram: how the per-layer input u_l of one token is put together from the token's row of the
packed per-layer embedding table and from a projection of its ordinary embedding, and where layer l
uses it. The E2B numbers printed under it come from the published config
(:func:`mlpapers.gemma4.configs.config`) and the table size from the instructor's ``ple_param_count``
(``mlpapers.figures.reference("gemma4")``, at render time), never computed by the package itself.
"""
from __future__ import annotations

from mlpapers.gemma4.configs import config

CHAPTER = "gemma4"


def _plt():
    import matplotlib.pyplot as plt
    return plt


def _strip(ax, x0, y, label, colour, chosen, n_blocks=5, width=0.88, height=0.5):
    """A packed row of ``n_blocks`` layer blocks (P numbers each); block ``chosen`` is highlighted."""
    from matplotlib.patches import Rectangle
    for b in range(n_blocks):
        x = x0 + b * width
        hot = b == chosen
        ax.add_patch(Rectangle((x, y), width, height, facecolor=colour if hot else "0.93",
                               edgecolor="0.35", lw=1.2 if hot else 0.6))
        name = {chosen: "l", n_blocks - 2: "…", n_blocks - 1: "L−1"}.get(b, str(b))
        ax.text(x + width / 2, y + height / 2, name, ha="center", va="center", fontsize=8,
                color="white" if hot else "0.25")
    ax.text(x0 + n_blocks * width / 2, y + height + 0.1, label, ha="center", va="bottom", fontsize=8.5)
    return x0 + chosen * width + width / 2                       # centre of the chosen block


def _box(ax, x, y, text, colour="white", fontsize=8.5):
    ax.text(x, y, text, ha="center", va="center", fontsize=fontsize,
            bbox=dict(boxstyle="round,pad=0.35", facecolor=colour, edgecolor="0.35", lw=0.8))


def _arrow(ax, xy_from, xy_to):
    ax.annotate("", xy=xy_to, xytext=xy_from, arrowprops=dict(arrowstyle="->", color="0.3", lw=1.1))


def ple_assembly():
    """184: the token's table slice and projection slice for layer l, combined into u_l, used after the MLP."""
    plt = _plt()
    from mlpapers.figures import reference
    ref = reference(CHAPTER)
    e2b = config("E2B")
    L, P, D = len(e2b["layer_types"]), e2b["hidden_size_per_layer_input"], e2b["hidden_size"]
    V = e2b["vocab_size_per_layer_input"]
    entries = ref.ple_param_count(V, L, P)

    fig, ax = plt.subplots(figsize=(7.6, 3.9))
    ax.set_xlim(0, 10)
    ax.set_ylim(0.2, 6.45)
    ax.axis("off")
    chosen = 2
    xt = _strip(ax, 0.3, 5.3, "row $E_{ple}[\\mathrm{id}]$ of the per-layer table\n"
                "$L \\cdot P$ numbers; block $l$ = columns $lP \\ldots (l{+}1)P-1$", "tab:orange", chosen)
    xc = _strip(ax, 5.4, 5.3, "projection $e\\,W_m / \\sqrt{D}$ of the token's embedding\n"
                "also $L \\cdot P$ numbers, same layout", "tab:blue", chosen)
    _box(ax, xt, 4.2, "$t_l = \\sqrt{P}\\,\\times$ block $l$", "moccasin")
    _box(ax, xc, 4.2, "$c_l = \\mathrm{RMSNorm}$(block $l$) $\\odot\\, g$", "lightsteelblue")
    _arrow(ax, (xt, 5.28), (xt, 4.45))
    _arrow(ax, (xc, 5.28), (xc, 4.45))
    _box(ax, 5.0, 3.0, "$u_l = (c_l + t_l)\\,/\\,\\sqrt{2}$   ($P$ numbers for layer $l$)", "honeydew", 9.5)
    _arrow(ax, (xt, 3.95), (4.0, 3.27))
    _arrow(ax, (xc, 3.95), (6.0, 3.27))
    _box(ax, 5.0, 1.7, "layer $l$, after attention and MLP:\n"
         r"$h \leftarrow h + \mathrm{RMSNorm}((\mathrm{GELU}_{\tanh}(h W_g) \odot u_l)\, W_p) \odot g_l$",
         "whitesmoke", 9.5)
    _arrow(ax, (5.0, 2.73), (5.0, 2.13))
    ax.text(5.0, 0.55, f"E2B: L = {L} layers, P = {P}, D = {D}.  Table {V:,} × {L * P:,} = {entries:,} entries;"
            f"\none token reads one row of {L * P:,} numbers ({L * P / D:.1f}× its {D:,}-wide ordinary embedding row).",
            ha="center", va="center", fontsize=8, color="0.2")
    fig.subplots_adjust(left=0.01, right=0.99, top=0.99, bottom=0.01)
    return fig


FIGURES = {"184_ple_assembly.png": ple_assembly}

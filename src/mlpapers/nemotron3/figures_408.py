"""Figure of problem 408 (counting LatentMoE), shown in its Background before the task.

Stacked bars of Nemotron 3 Nano's and Super's weights by component, total against active. The
per-layer-type sizes are differences of whole-model counts (a config with one layer type removed
from its pattern), and the MoE layer is split with the reference ``moe_layer_params``; both come
from the instructor's module through ``mlpapers.figures.reference("nemotron3")`` at render time,
never from package code. Only the router (d N) and latent (2 d l) sizes are written out here, as
the Background states them.
"""
from __future__ import annotations

from mlpapers.nemotron3.configs import config

#: (key, legend label, colour), bottom to top of each stacked bar
COMPONENTS = (
    ("mamba", "Mamba-2 layers", "#3182bd"),
    ("attention", "attention layers", "#e6550d"),
    ("routed", "routed experts", "#756bb1"),
    ("shared", "shared experts", "#bcbddc"),
    ("router", "routers", "#31a354"),
    ("latent", "latent projections", "#fd8d3c"),
    ("norms", "RMSNorm weights", "#000000"),
    ("lm_head", "LM head", "#636363"),
    ("embedding", "input embedding", "#d9d9d9"),
)


def _without(cfg: dict, ch: str) -> dict:
    out = dict(cfg)
    out["hybrid_override_pattern"] = cfg["hybrid_override_pattern"].replace(ch, "")
    return out


def parameter_components(ref, cfg: dict) -> dict[str, dict[str, int]]:
    """{"total": {component: count}, "active": {...}} of one config, from the reference functions."""
    whole = ref.model_params(cfg)
    pattern = cfg["hybrid_override_pattern"]
    d, V = cfg["hidden_size"], cfg["vocab_size"]
    n_layers = len(pattern)
    out = {}
    for kind in ("total", "active"):
        # a layer type's share = the whole model minus the same model without those layers
        layer = {ch: whole[kind] - ref.model_params(_without(cfg, ch))[kind] for ch in "M*E"}
        N, K = cfg["n_routed_experts"], cfg["num_experts_per_tok"]
        lat = cfg["moe_latent_size"]
        ds = cfg["n_shared_experts"] * cfg["moe_shared_expert_intermediate_size"]
        args = (d, cfg["moe_intermediate_size"], N, K, lat)
        n_e = pattern.count("E")
        shared = n_e * (ref.moe_layer_params(*args, ds)[kind] - ref.moe_layer_params(*args, 0)[kind])
        router = n_e * d * N
        latent = n_e * (0 if lat is None else 2 * d * lat)
        parts = {
            "mamba": layer["M"] - pattern.count("M") * d,
            "attention": layer["*"] - pattern.count("*") * d,
            "shared": shared, "router": router, "latent": latent,
            "routed": layer["E"] - n_e * d - shared - router - latent,
            "norms": (n_layers + 1) * d,
            "lm_head": V * d,
            "embedding": V * d if kind == "total" else 0,
        }
        if sum(parts.values()) != whole[kind]:
            raise AssertionError(f"components of {kind} do not add up to model_params")
        out[kind] = parts
    return out


def parameter_bars():
    """408: Nano's and Super's weights by component, total (left) and active per token (right)."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle
    from mlpapers.figures import reference
    ref = reference("nemotron3")

    models = (("Nano", config("nano")), ("Super", config("super")))
    parts = {name: parameter_components(ref, cfg) for name, cfg in models}
    reported = {"Nano": ("31.6B", "3.2B"), "Super": ("120B", "12B")}
    fig, axes = plt.subplots(1, 2, figsize=(7.8, 4.3))
    fig.subplots_adjust(left=0.08, right=0.72, top=0.84, bottom=0.08, wspace=0.45)
    for ax, kind in zip(axes, ("total", "active")):
        top = 0.0
        for j, (name, _cfg) in enumerate(models):
            bottom = 0.0
            for key, _label, colour in COMPONENTS:
                value = parts[name][kind][key] / 1e9
                ax.bar(j, value, bottom=bottom, width=0.6, color=colour, edgecolor="white", lw=0.4)
                bottom += value
            top = max(top, bottom)
            said = reported[name][0 if kind == "total" else 1]
            ax.text(j, bottom, f"{bottom:.2f}B\n(reported {said})", ha="center", va="bottom", fontsize=7.5)
        # label the two big MoE segments of Super
        sup = parts["Super"][kind]
        y = sup["mamba"] + sup["attention"]
        ax.text(1.33, (y + sup["routed"] / 2) / 1e9, f"routed\n{sup['routed'] / 1e9:.2f}B", fontsize=6.5,
                va="center")
        ax.set_xticks([0, 1], [n for n, _ in models])
        ax.set_xlim(-0.55, 1.85)
        ax.set_ylim(0, 1.2 * top)
        ax.set_ylabel("parameters (billions)")
        ax.grid(axis="y", lw=0.3, alpha=0.5)
        ax.set_title({"total": "total: every weight stored",
                      "active": "active: weights one token uses\n(K of N routed experts, no input embedding)"}[kind],
                     fontsize=8.5)
    handles = [Rectangle((0, 0), 1, 1, facecolor=c) for _k, _l, c in COMPONENTS[::-1]]
    labels = [label for _k, label, _c in COMPONENTS[::-1]]
    fig.legend(handles, labels, loc="center left", bbox_to_anchor=(0.73, 0.5), fontsize=7.5, frameon=False)
    fig.suptitle("Nemotron 3 weights counted from the released configs", fontsize=10, y=0.985)
    return fig


FIGURES = {
    "408_parameter_bars.png": parameter_bars,
}

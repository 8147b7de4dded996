"""Explorer for problem 184: one token's per-layer input, and the PLE share of the residual update.

A small synthetic model with seeded random weights (no Gemma weights): ``V = 48`` tokens,
``L = 8`` layers, hidden size ``D = 32``, per-layer input size ``P = 8``. Left panel: for the chosen
token and layer, the table part ``t_l``, the projection part ``c_l`` and their combination ``u_l``,
all taken from the student's ``ple_inputs`` (``t_l`` by calling it with a zero projection, ``c_l``
with a zero table). Right panel: one token passes through the ``L`` layers, each a toy MLP block
(tanh, sandwich norms; attention left out) followed by the student's ``per_layer_input_gate``; bars
show the size of both residual updates per layer. A slider scales the PLE signal, either the
per-layer input ``u_l`` or the post-norm weight ``g_l``: only the second changes the PLE share,
because the post-projection RMSNorm erases the scale of ``u_l`` (until ``eps`` dominates).

Every graded answer comes from the functions passed in (``ple_inputs``, ``per_layer_input_gate``
and problem 182's ``rms_norm``); the module holds none.
"""
from __future__ import annotations

from typing import Callable

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np

from mlpapers.widgetkit import Explorer

__all__ = ["V", "L", "D", "P", "toy_model", "ple_parts", "residual_updates", "draw_ple", "make_ple_explorer"]

V, L, D, P = 48, 8, 32, 8          # vocabulary, layers, hidden size, per-layer input size


def toy_model(seed: int = 0) -> dict:
    """Seeded random weights of the synthetic model (arrays only; shapes in the comments).

    Example: ``toy_model()["ple_table"].shape`` -> ``(48, 64)``.
    """
    rng = np.random.default_rng(seed)
    return {
        "embed": rng.standard_normal((V, D)),                                  # (V, D), before the sqrt(D) scale
        "ple_table": rng.standard_normal((V, L * P)) / np.sqrt(P),             # (V, L*P), layer-major blocks
        "w_model_proj": rng.standard_normal((D, L * P)) / np.sqrt(D),          # (D, L*P)
        "proj_norm_weight": 1.0 + 0.2 * rng.standard_normal(P),                # (P,)
        "w_mlp_in": rng.standard_normal((L, D, 2 * D)) / np.sqrt(D),           # toy MLP, per layer
        "w_mlp_out": rng.standard_normal((L, 2 * D, D)) / np.sqrt(2 * D),
        "mlp_post_norm": np.ones((L, D)),                                      # (L, D)
        "w_gate": rng.standard_normal((L, D, P)) / np.sqrt(D),                 # (L, D, P)
        "w_proj": rng.standard_normal((L, P, D)) / np.sqrt(P),                 # (L, P, D)
        # a learned post-norm weight per layer; here its size grows with depth (0.2 ... 0.6)
        "post_norm_weight": np.linspace(0.2, 0.6, L)[:, None] * (1.0 + 0.1 * rng.standard_normal((L, D))),
    }


def ple_parts(ple_inputs: Callable, model: dict, token: int):
    """(t, c, u), each (L, P), of one token from the student's ``ple_inputs``.

    ``u`` is the plain call; ``t = sqrt(2) u`` with a zero projection (then ``c = 0``) and
    ``c = sqrt(2) u`` with a zero table (then ``t = 0``).
    """
    ids = np.array([int(token)])
    e = model["embed"][ids] * np.sqrt(D)                                       # inputs_embeds (1, D)
    args = (model["ple_table"], model["w_model_proj"], model["proj_norm_weight"], L)
    u = np.asarray(ple_inputs(ids, e, *args), dtype=float)[0]
    t = np.sqrt(2.0) * np.asarray(ple_inputs(ids, e, args[0], np.zeros_like(args[1]), *args[2:]), dtype=float)[0]
    c = np.sqrt(2.0) * np.asarray(ple_inputs(ids, e, np.zeros_like(args[0]), *args[1:]), dtype=float)[0]
    return t, c, u


def residual_updates(per_layer_input_gate: Callable, rms_norm: Callable, model: dict, token: int, u,
                     scale: float = 1.0, apply_to: str = "g"):
    """RMS of the toy MLP update and of the PLE update at every layer for one token; two (L,) arrays.

    ``scale`` multiplies ``u_l`` (``apply_to="u"``) or the post-norm weight ``g_l`` (``apply_to="g"``).
    """
    h = model["embed"][[int(token)]] * np.sqrt(D)                              # (1, D)
    u = np.asarray(u, dtype=float)
    mlp, ple = np.zeros(L), np.zeros(L)
    for l in range(L):
        a = np.asarray(rms_norm(h), dtype=float)                               # pre-norm (scale-free)
        m = np.tanh(a @ model["w_mlp_in"][l]) @ model["w_mlp_out"][l]
        delta = np.asarray(rms_norm(m, model["mlp_post_norm"][l]), dtype=float)
        h = h + delta
        mlp[l] = np.sqrt(np.mean(delta ** 2))
        u_l = u[l][None, :] * (scale if apply_to == "u" else 1.0)
        g_l = model["post_norm_weight"][l] * (scale if apply_to == "g" else 1.0)
        new = np.asarray(per_layer_input_gate(h, u_l, model["w_gate"][l], model["w_proj"][l], g_l), dtype=float)
        ple[l] = np.sqrt(np.mean((new - h) ** 2))
        h = new
    return mlp, ple


def _rms(x) -> float:
    return float(np.sqrt(np.mean(np.square(x))))


def draw_ple(*, ple_inputs: Callable, per_layer_input_gate: Callable, rms_norm: Callable, model: dict,
             token: int = 7, layer: int = 3, scale: float = 1.0, apply_to: str = "g"):
    """Bars of t_l, c_l, u_l (left) and the per-layer residual updates (right); returns ``(figure, readout)``."""
    token, layer, scale = int(token), int(layer), float(scale)
    t, c, u = ple_parts(ple_inputs, model, token)
    mlp, ple = residual_updates(per_layer_input_gate, rms_norm, model, token, u, scale, apply_to)
    mlp1, ple1 = residual_updates(per_layer_input_gate, rms_norm, model, token, u, 1.0, apply_to)
    share = ple / (mlp + ple)

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(7.6, 3.2), gridspec_kw={"width_ratios": [1.15, 1]})
    x = np.arange(P)
    for k, (vals, name, colour) in enumerate(((t[layer], "$t_l$ (table)", "tab:orange"),
                                              (c[layer], "$c_l$ (projection)", "tab:blue"),
                                              (u[layer], "$u_l = (c_l + t_l)/\\sqrt{2}$", "tab:green"))):
        bars = ax1.bar(x + (k - 1) * 0.27, vals, 0.27, color=colour, label=name)
        for b in bars:
            b.set_gid(("t", "c", "u")[k])
    ax1.axhline(0, color="0.5", lw=0.6)
    ax1.set_xticks(x)
    ax1.set_xlabel("dimension p of the per-layer input", fontsize=8)
    ax1.set_title(f"token {token}, layer {layer}", fontsize=9)
    ax1.legend(fontsize=7, loc="best")
    ax1.tick_params(labelsize=7)

    layers = np.arange(L)
    b_mlp = ax2.bar(layers, mlp, 0.7, color="0.75", label="toy MLP update")
    b_ple = ax2.bar(layers, ple, 0.7, bottom=mlp, color="tab:green", label="PLE update")
    for b in b_mlp:
        b.set_gid("mlp_update")
    for b in b_ple:
        b.set_gid("ple_update")
    top = float(np.max(mlp + ple))
    for l in layers:
        ax2.text(l, mlp[l] + ple[l] + 0.02 * top, f"{100 * share[l]:.0f}%", ha="center", va="bottom", fontsize=6.5)
    ax2.bar([layer], [mlp[layer] + ple[layer]], 0.7, fill=False, edgecolor="black", lw=1.4, gid="selected_layer")
    ax2.set_ylim(0, 1.18 * top if top > 0 else 1.0)
    ax2.set_xticks(layers)
    ax2.set_xlabel("layer", fontsize=8)
    ax2.set_ylabel("RMS of the residual update", fontsize=8)
    target = "$u_l$" if apply_to == "u" else "$g_l$"
    ax2.set_title(f"PLE share per layer ({target} × {scale:g})", fontsize=9)
    ax2.legend(fontsize=7, loc="upper left")
    ax2.tick_params(labelsize=7)
    fig.tight_layout()

    combine = float(np.max(np.abs(u - (c + t) / np.sqrt(2.0))))
    readout = (f"token {token}, layer {layer}: RMS of t_l {_rms(t[layer]):.3f}, c_l {_rms(c[layer]):.3f}, "
               f"u_l {_rms(u[layer]):.3f}; largest |u - (c + t)/sqrt(2)| {combine:.1e}\n"
               f"PLE share of the residual update at layer {layer}: {100 * share[layer]:.1f} % "
               f"(mean over the {L} layers {100 * share.mean():.1f} %)\n"
               f"{'u_l' if apply_to == 'u' else 'g_l'} × {scale:g}: PLE update RMS at layer {layer} "
               f"{ple[layer]:.4f} against {ple1[layer]:.4f} unscaled")
    return fig, readout


def make_ple_explorer(ple_inputs: Callable, per_layer_input_gate: Callable, rms_norm: Callable,
                      seed: int = 0) -> Explorer:
    """Explorer with a token slider, a layer slider, a log scale slider and what the scale multiplies."""
    model = toy_model(seed)
    controls = {
        "token": widgets.IntSlider(value=7, min=0, max=V - 1, description="token id", continuous_update=False),
        "layer": widgets.IntSlider(value=3, min=0, max=L - 1, description="layer", continuous_update=False),
        "scale": widgets.FloatLogSlider(value=1.0, base=10, min=-4, max=1, step=0.25, description="PLE scale",
                                        continuous_update=False),
        "apply_to": widgets.ToggleButtons(options=[("post-norm weight g_l", "g"), ("per-layer input u_l", "u")],
                                          value="g", description="scale",
                                          style={"button_width": "150px"}),
    }
    return Explorer(lambda **v: draw_ple(ple_inputs=ple_inputs, per_layer_input_gate=per_layer_input_gate,
                                         rms_norm=rms_norm, model=model, **v),
                    controls, title="Per-layer embeddings: one token's per-layer input and its share")

"""Explorer for problem 410 (a LatentMoE layer).

Both panels come from the student's ``latent_moe_forward``:

* per-expert token counts for a random batch. The layer only returns ``y``, so the counts are read
  from a second call with *probe experts*: expert i computes ``(u.x)^2`` and writes it into output
  coordinate i, so ``y[t, i] > 0`` exactly when token t chose expert i (the router is the batch's own);
* the relative output error of a LatentMoE with latent width l against a full-width MoE with
  matched random weights: ``W_down = Q`` (l orthonormal rows of a random rotation), ``W_up = Q^T``,
  latent experts ``U_i Q^T`` and ``Q D_i``. At l = d the two layers are the same function; below it
  the routed path loses what ``Q`` drops. The router and the shared expert read the full-width x,
  so the loads do not depend on l.

Not covered: training. A trained LatentMoE spends the saved bytes on more experts and a larger
top-k (LatentMoE paper); here the weights are random and fixed.
"""
from __future__ import annotations

from typing import Callable

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import torch

from mlpapers.widgetkit import Explorer

__all__ = ["D_MODEL", "N_EXPERTS", "D_FF", "D_SHARED", "TOKENS", "LATENTS", "matched_params",
           "expert_loads", "latent_errors", "draw_latent_moe", "make_latent_moe_explorer"]

#: the layer of the widget: width d, N routed experts of width m, a shared expert of width m_s
D_MODEL, N_EXPERTS, D_FF, D_SHARED = 32, 16, 16, 32
#: tokens in the random batch
TOKENS = 256
#: latent widths of the error curve (the slider's options)
LATENTS = (1, 2, 4, 6, 8, 12, 16, 24, 32)


def matched_params(latent_dim: int | None, seed: int = 0, device="cpu") -> dict:
    """Random full-width MoE tensors (``latent_dim=None``) or their latent version of width l.

    Same seed, same router, shared expert and full-width experts; the latent version adds
    ``fc1_latent = Q`` (l, d) and ``fc2_latent = Q^T`` with ``Q`` the first l rows of a random
    rotation, and stores the experts as ``U_i Q^T`` (m, l) and ``Q D_i`` (l, m).
    Example: ``matched_params(8)["experts_up"].shape`` -> (16, 16, 8).
    """
    g = torch.Generator().manual_seed(seed)
    d, n, m, ms = D_MODEL, N_EXPERTS, D_FF, D_SHARED
    randn = lambda *shape: torch.randn(*shape, generator=g, dtype=torch.float64)  # noqa: E731
    p = {"router_weight": randn(n, d) / d ** 0.5, "e_score_correction_bias": torch.zeros(n, dtype=torch.float64),
         "experts_up": randn(n, m, d) / d ** 0.5, "experts_down": randn(n, d, m) / m ** 0.5,
         "shared_up": randn(ms, d) / d ** 0.5, "shared_down": randn(d, ms) / ms ** 0.5}
    rotation, _ = torch.linalg.qr(randn(d, d))
    if latent_dim is not None:
        Q = rotation[:, :latent_dim].T.contiguous()                         # (l, d), orthonormal rows
        p.update(fc1_latent=Q, fc2_latent=Q.T.contiguous(),
                 experts_up=p["experts_up"] @ Q.T, experts_down=Q @ p["experts_down"])
    return {k: v.to(device) for k, v in p.items()}


def batch(seed: int = 0, device="cpu") -> torch.Tensor:
    """The widget's random batch, (TOKENS, D_MODEL) float64."""
    g = torch.Generator().manual_seed(seed + 1)
    return torch.randn(TOKENS, D_MODEL, generator=g, dtype=torch.float64).to(device)


def expert_loads(latent_moe_forward: Callable, x, router_weight, e_bias, top_k: int) -> np.ndarray:
    """(N,) tokens per expert, read from ``latent_moe_forward`` with probe experts (needs d >= N).

    Expert i has up rows (u, -u) and writes both units into coordinate i, so its output is
    (u.x)^2 e_i: ``y[t, i] > 0`` exactly when token t chose expert i.
    """
    n, d = router_weight.shape
    if d < n:
        raise ValueError(f"the probe experts need d >= N, got d = {d}, N = {n}")
    g = torch.Generator().manual_seed(12345)
    u = torch.randn(d, generator=g, dtype=torch.float64).to(x)
    up = torch.stack([u, -u]).expand(n, 2, d).contiguous()                              # (N, 2, d)
    down = torch.zeros(n, d, 2, dtype=x.dtype, device=x.device)
    down[torch.arange(n), torch.arange(n), :] = 1.0                                     # (N, d, 2)
    probe = {"router_weight": router_weight, "e_score_correction_bias": e_bias, "experts_up": up,
             "experts_down": down}
    y = latent_moe_forward(x, probe, top_k)
    return (torch.as_tensor(y)[:, :n] > 0).sum(dim=0).cpu().numpy().astype(np.int64)


def latent_errors(latent_moe_forward: Callable, top_k: int, latents=LATENTS, seed: int = 0, device="cpu") -> np.ndarray:
    """Relative error ||y_l - y_full|| / ||y_full|| of the latent layer for every l in ``latents``."""
    x = batch(seed, device)
    full = torch.as_tensor(latent_moe_forward(x, matched_params(None, seed, device), top_k))
    errors = []
    for l in latents:
        y = torch.as_tensor(latent_moe_forward(x, matched_params(l, seed, device), top_k))
        errors.append(float(torch.linalg.norm(y - full) / torch.linalg.norm(full)))
    return np.array(errors)


def draw_latent_moe(*, latent_moe_forward: Callable, latent_dim: int = 8, top_k: int = 4, seed: int = 0,
                    device="cpu", errors=None):
    """Per-expert loads and the error curve against l; returns ``(figure, readout)``."""
    latent_dim, top_k = int(latent_dim), int(top_k)
    x = batch(seed, device)
    p = matched_params(latent_dim, seed, device)
    loads = expert_loads(latent_moe_forward, x, p["router_weight"], p["e_score_correction_bias"], top_k)
    if errors is None:
        errors = latent_errors(latent_moe_forward, top_k, LATENTS, seed, device)
    errors = np.asarray(errors, dtype=float)
    current = errors[LATENTS.index(latent_dim)]

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(7.6, 3.2), gridspec_kw={"width_ratios": [1.1, 1.0]})
    experts = np.arange(N_EXPERTS)
    ax1.bar(experts, loads, color="tab:blue", gid="loads")
    mean = TOKENS * top_k / N_EXPERTS
    ax1.axhline(mean, color="tab:red", ls="--", lw=0.9, gid="mean_load")
    ax1.text(0.02, 0.97, f"dashed: mean T k / N = {mean:g}", color="tab:red", fontsize=7, va="top", ha="left",
             transform=ax1.transAxes)
    ax1.set_ylim(0, 1.25 * max(loads.max(), mean))
    ax1.set_xlabel("expert")
    ax1.set_ylabel("tokens routed to it")
    ax1.set_title(f"{TOKENS} random tokens, top-{top_k} of {N_EXPERTS} (router on x)", fontsize=9)
    ax1.set_xticks(experts[::2])

    ax2.plot(LATENTS, errors, "o-", ms=3, lw=1.2, color="tab:green", gid="errors")
    ax2.plot([latent_dim], [current], "o", ms=9, mfc="none", mec="tab:red", mew=1.5, gid="current_latent")
    ax2.set_xlabel(f"latent width l (d = {D_MODEL})")
    ax2.set_ylabel("||y_l - y_full|| / ||y_full||")
    ax2.set_title("LatentMoE vs full-width MoE, matched weights", fontsize=9)
    ax2.text(0.03, 0.04, "shared expert at full width in both", transform=ax2.transAxes, fontsize=7, color="0.35")
    ax2.set_xticks([1, 8, 16, 24, 32])
    ax2.set_ylim(bottom=0)
    ax2.grid(True, lw=0.3, alpha=0.6)
    fig.tight_layout()

    routed = N_EXPERTS * 2 * D_FF
    readout = (f"l = {latent_dim} of d = {D_MODEL}, top-{top_k}:\n"
               f"  relative output error against the full-width layer: {current:.3f}\n"
               f"  routed expert weights {routed * latent_dim:,} instead of {routed * D_MODEL:,} "
               f"(d/l = {D_MODEL / latent_dim:g}x fewer), plus 2 x {D_MODEL * latent_dim:,} for W_down and W_up\n"
               f"  loads: min {loads.min()}, max {loads.max()}, mean {mean:g} tokens per expert "
               f"(the same for every l: the router reads x)")
    return fig, readout


def make_latent_moe_explorer(latent_moe_forward: Callable, seed: int = 0, device="cpu") -> Explorer:
    """Explorer with a latent-width slider ``latent_dim`` and a top-k slider ``top_k``.

    Example: ``make_latent_moe_explorer(latent_moe_forward).show(interactive)``
    """
    curves: dict[int, np.ndarray] = {}

    def draw(latent_dim, top_k):
        if top_k not in curves:                                   # one curve per k, reused while l moves
            curves[top_k] = latent_errors(latent_moe_forward, top_k, LATENTS, seed, device)
        return draw_latent_moe(latent_moe_forward=latent_moe_forward, latent_dim=latent_dim, top_k=top_k,
                               seed=seed, device=device, errors=curves[top_k])

    controls = {
        "latent_dim": widgets.SelectionSlider(options=list(LATENTS), value=8, description="latent l",
                                              continuous_update=False),
        "top_k": widgets.IntSlider(value=4, min=1, max=8, description="top-k", continuous_update=False),
    }
    return Explorer(draw, controls, title="LatentMoE: experts at width l, router and shared expert at d")

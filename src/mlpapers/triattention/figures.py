"""Figures shown in the Background of the TriAttention problems (284-289), before each task.

Each function returns one matplotlib figure; ``python -m mlpapers figures`` renders them into
``solutions/triattention/figures/``. Anything that is a graded answer of the chapter (RoPE, the
identity, the statistics, the scores, the policies) is taken from the instructor's module through
``mlpapers.figures.reference("triattention")`` at render time, never computed here.
"""
from __future__ import annotations

import numpy as np


def _ref():
    from mlpapers.figures import reference
    return reference("triattention")


def _plt():
    import matplotlib.pyplot as plt
    return plt


def _synthetic_head():
    """(rng, q_centre, k_centre, 512 queries) of the seed-0, d = 64 course head at noise 0.8 (figures 286, 287)."""
    from mlpapers.triattention.synth import make_centres, sample_concentrated
    rng = np.random.default_rng(0)
    qc, kc = make_centres(64, rng=rng)
    return rng, qc, kc, sample_concentrated(qc, 512, rng=rng, noise=0.8)


def _scenario0() -> dict:
    """The default eviction scenario of seed 0 (figures 288, 289; the tables of problem 289)."""
    from mlpapers.triattention.synth import make_eviction_scenario
    return make_eviction_scenario(rng=np.random.default_rng(0))


def pair_rotation():
    """284: two frequency pairs of one vector after RoPE at positions 0..8: a fast and a slow pair."""
    ref, plt = _ref(), _plt()
    x = np.array([1.0, 0.6, 0.2, 0.1, 0.3, 0.8, 0.1, 0.1])          # d = 8, base 10000
    t = np.arange(9)
    z = ref.to_complex_pairs(ref.apply_rope(x, t))                  # (9, 4)
    w = ref.rope_frequencies(8)
    fig, axes = plt.subplots(1, 2, figsize=(6.4, 3.3))
    for ax, f in zip(axes, (0, 1)):
        ax.add_patch(plt.Circle((0, 0), abs(z[0, f]), fill=False, color="0.8", lw=1))
        ax.plot(z[:, f].real, z[:, f].imag, color="0.75", lw=0.8, zorder=1)
        sc = ax.scatter(z[:, f].real, z[:, f].imag, c=t, cmap="viridis", s=28, zorder=2)
        for tt, col in ((0, "tab:blue"), (8, "tab:red")):
            ax.annotate("", xy=(z[tt, f].real, z[tt, f].imag), xytext=(0, 0),
                        arrowprops=dict(arrowstyle="->", color=col, lw=1.6))
            ax.text(1.12 * z[tt, f].real, 1.12 * z[tt, f].imag, f"t={tt}", color=col, fontsize=8,
                    ha="center", va="center")
        r = 1.35 * abs(z[0, f])
        ax.set_xlim(-r, r); ax.set_ylim(-r, r); ax.set_aspect("equal")
        ax.axhline(0, color="0.9", lw=0.6, zorder=0); ax.axvline(0, color="0.9", lw=0.6, zorder=0)
        ax.set_xlabel("Re $z_f$ (coordinate $f$)")
        if f == 0:
            ax.set_ylabel("Im $z_f$ (coordinate $f+F$)")
        ax.set_title(f"pair f={f}: $\\omega_f$={w[f]:g} rad/token\nperiod {2 * np.pi / w[f]:.0f} tokens",
                     fontsize=9)
    fig.colorbar(sc, ax=axes, shrink=0.8, label="position t")
    fig.suptitle("RoPE turns each pair by $\\omega_f t$ and keeps its length (d = 8)", fontsize=10)
    return fig


FIGURES = {
    "284_pair_rotation.png": pair_rotation,
}


def identity_phase():
    """285: one pair of a query and a key as arrows (angle between them = phase), and the series in distance."""
    ref, plt = _ref(), _plt()
    q = np.array([1.0, 2.0, 3.0, 4.0])
    k = np.array([0.5, -1.0, 2.0, 0.0])
    qz, kz = ref.to_complex_pairs(q), ref.to_complex_pairs(k)
    amp, phase = ref.frequency_terms(q, k)
    fig, (a0, a1) = plt.subplots(1, 2, figsize=(7.0, 3.7), gridspec_kw={"width_ratios": [1, 1.7]})
    for z, col, name in ((qz[1], "tab:blue", r"$\tilde q_1$"), (kz[1], "tab:orange", r"$\tilde k_1$")):
        a0.annotate("", xy=(z.real, z.imag), xytext=(0, 0), arrowprops=dict(arrowstyle="->", color=col, lw=2))
        a0.text(z.real * 1.08, z.imag * 1.08, name, color=col, fontsize=11)
    th = np.linspace(np.angle(qz[1]), np.angle(kz[1]), 30)
    a0.plot(0.7 * np.cos(th), 0.7 * np.sin(th), color="k", lw=1)
    a0.text(-1.9, 2.6, r"$\varphi_1 = \arg\tilde q_1 - \arg\tilde k_1$" + f"\n$= {phase[1]:.2f}$ rad", fontsize=8)
    a0.set_xlim(-2, 2.8); a0.set_ylim(-1, 4.6); a0.set_aspect("equal")
    a0.axhline(0, color="0.85", lw=0.6); a0.axvline(0, color="0.85", lw=0.6)
    a0.set_xlabel("Re"); a0.set_ylabel("Im"); a0.set_title("pair 1 before RoPE", fontsize=9)
    D = np.linspace(0, 40, 400)
    terms = ref.trig_logit(q, k, D, per_pair=True)
    a1.plot(D, terms[:, 0], color="tab:green", lw=1, label=r"$A_0\cos(\omega_0\Delta+\varphi_0)$, fast")
    a1.plot(D, terms[:, 1], color="tab:purple", lw=1, label=r"$A_1\cos(\omega_1\Delta+\varphi_1)$, slow")
    a1.plot(D, terms.sum(axis=1), color="k", lw=2, label="sum (the logit)")
    Dd = np.arange(0, 41, 4)
    direct = [ref.apply_rope(q, 50) @ ref.apply_rope(k, 50 - d) for d in Dd]
    a1.plot(Dd, direct, "o", color="tab:red", ms=4, label="RoPE dot product, direct")
    a1.set_xlabel(r"distance $\Delta = m - n$ (tokens)"); a1.set_ylabel("logit contribution")
    a1.set_title(r"$q=[1,2,3,4]$, $k=[0.5,-1,2,0]$, $d=4$", fontsize=9)
    a1.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2)
    a1.axhline(0, color="0.85", lw=0.6)
    fig.tight_layout()
    return fig


FIGURES["285_identity_phase.png"] = identity_phase


def concentration_clouds():
    """286: one pair of 512 synthetic queries before and after RoPE, with centre and mean length, and R_f per pair."""
    ref, plt = _ref(), _plt()
    _, qc, _, xs = _synthetic_head()
    pos = np.arange(512)
    f = int(np.argmax(np.abs(qc[:8])))                     # a strong pair among the fast ones
    pre = ref.to_complex_pairs(xs)[:, f]
    post = ref.to_complex_pairs(ref.apply_rope(xs, pos))[:, f]
    R_pre, R_post = ref.mean_resultant_length(xs), ref.mean_resultant_length(xs, positions=pos)
    fig, axes = plt.subplots(1, 3, figsize=(7.6, 2.9), gridspec_kw={"width_ratios": [1, 1, 1.5]})
    lim = 1.25 * np.abs(pre).max()
    for ax, z, R, name in ((axes[0], pre, R_pre[f], "before RoPE"), (axes[1], post, R_post[f], "after RoPE")):
        ax.scatter(z.real, z.imag, s=3, alpha=0.4, color="tab:blue")
        c, mu = z.mean(), np.abs(z).mean()
        ax.add_patch(plt.Circle((0, 0), mu, fill=False, ls="--", color="0.4", lw=0.8))
        ax.annotate("", xy=(c.real, c.imag), xytext=(0, 0), arrowprops=dict(arrowstyle="->", color="tab:red", lw=2))
        ax.set_xlim(-lim, lim); ax.set_ylim(-lim, lim); ax.set_aspect("equal")
        ax.set_title(f"pair {f}, {name}\n$R_f$ = |centre| / mean length = {R:.2f}", fontsize=8)
        ax.set_xlabel("Re $z_f$"); ax.tick_params(labelsize=7)
    axes[0].set_ylabel("Im $z_f$")
    axes[0].text(-0.95 * lim, -0.95 * lim, "red: centre $\\bar z_f$\ndashed: radius $\\mu_f$", fontsize=7)
    F = np.arange(32)
    axes[2].bar(F - 0.2, R_pre, 0.4, color="tab:blue", label="before RoPE")
    axes[2].bar(F + 0.2, R_post, 0.4, color="tab:orange", label="after RoPE (pos. 0..511)")
    axes[2].set_xlabel("pair f (fast → slow)"); axes[2].set_ylabel("$R_f$"); axes[2].set_ylim(0, 1.3)
    axes[2].set_yticks([0, 0.25, 0.5, 0.75, 1.0])
    axes[2].set_title("concentration of all 32 pairs (d = 64)", fontsize=8)
    axes[2].legend(fontsize=7, loc="upper center", ncol=2); axes[2].tick_params(labelsize=7)
    fig.tight_layout()
    return fig


FIGURES["286_concentration_clouds.png"] = concentration_clouds


def trig_series():
    """287: the centre series P(distance) of a synthetic head beside the measured logits (mean and spread)."""
    from mlpapers.triattention.synth import sample_concentrated
    ref, plt = _ref(), _plt()
    rng, qc, kc, q = _synthetic_head()
    k = sample_concentrated(kc, 512, rng=rng, noise=0.8)
    D = np.unique(np.round(np.logspace(0, np.log10(511), 60)).astype(int))
    D = np.concatenate([[0], D])
    mean, std = ref.empirical_distance_logits(q, k, D)
    Dc = np.linspace(0, 511, 2000)
    P = ref.distance_preference(qc, kc, Dc)
    s = np.sqrt(64)
    fig, ax = plt.subplots(figsize=(6.2, 3.2))
    ax.fill_between(D + 1, (mean - std) / s, (mean + std) / s, color="tab:blue", alpha=0.2,
                    label="measured logits: mean ± std over the sequence")
    ax.plot(D + 1, mean / s, "o", ms=3, color="tab:blue")
    ax.plot(Dc + 1, P / s, color="k", lw=1.2, label=r"series $P(\Delta)$ of the two true centres")
    best = ref.preferred_distance(qc, kc, 511)
    ax.axvline(best + 1, color="tab:red", ls=":", lw=1, label=f"preferred distance = {best}")
    ax.set_xscale("log"); ax.set_xlabel(r"distance $\Delta$ + 1 (tokens, log scale)")
    ax.set_ylabel(r"logit / $\sqrt{d}$")
    ax.set_title("synthetic head, d = 64, 512 tokens, noise 0.8: a recency preference with ripples", fontsize=9)
    ax.legend(fontsize=7, loc="upper right")
    fig.tight_layout()
    return fig


FIGURES["287_trig_series.png"] = trig_series


def score_terms():
    """288: the trigonometric and the norm term of every cached key of the default scenario, along the sequence."""
    ref, plt, sc = _ref(), _plt(), _scenario0()
    qc, mu = ref.qk_centre(sc["calib_queries"]), ref.qk_abs_mean(sc["calib_queries"])
    keys, pos, p = sc["keys"], sc["key_positions"], sc["query_position"]
    trig = ref.trig_score(qc, keys, pos, p)
    norm = ref.norm_score(qc, mu, keys)
    total = trig + norm
    top = np.sort(np.argsort(-total, kind="stable")[:256])
    s = np.sqrt(sc["head_dim"])
    fig, axes = plt.subplots(2, 1, figsize=(6.4, 3.8), sharex=True)
    for ax, term, name in ((axes[0], trig, r"$S_{\mathrm{trig}}$ (series, offsets 1..65536)"),
                           (axes[1], norm, r"$S_{\mathrm{norm}}$ (bonus for diffuse pairs)")):
        ax.plot(pos, term / s, ".", ms=1.5, color="0.6", label="all 2560 cached keys")
        ax.plot(pos[top], term[top] / s, ".", ms=3, color="tab:red", label="top 256 by $S$ = sum of both")
        ax.set_ylabel("score / $\\sqrt{d}$", fontsize=8); ax.set_title(name, fontsize=9)
        ax.tick_params(labelsize=7)
    axes[0].legend(fontsize=7, loc="upper left", markerscale=3)
    axes[1].set_xlabel("key position (next query at 2560)")
    fig.tight_layout()
    return fig


FIGURES["288_score_terms.png"] = score_terms


def eviction_over_time():
    """289: which key positions each policy holds after every eviction of a 2560-token stream (budget 256)."""
    ref, plt, sc = _ref(), _plt(), _scenario0()
    keys, kpos, queries = sc["keys"], sc["key_positions"], sc["past_queries"]
    calib, w, budget, interval = sc["calib_queries"], sc["window"], 256, 128
    centre, abs_mean = ref.qk_centre(calib), ref.qk_abs_mean(calib)
    fig, axes = plt.subplots(1, 3, figsize=(7.4, 2.9), sharey=True)
    for ax, policy in zip(axes, ("recency", "window", "triattention")):
        cache = np.empty(0, dtype=np.int64)
        for t in range(kpos.size):
            cache = np.append(cache, t)
            if cache.size >= budget + interval:          # the released code's trigger: budget plus slack
                if policy == "recency":
                    keep = np.sort(np.argsort(-kpos[cache], kind="stable")[:budget])
                elif policy == "window":
                    lo = max(0, t - w + 1)
                    keep = ref.select_window_attention(queries[lo:t + 1], kpos[lo:t + 1], keys[cache],
                                                       kpos[cache], budget)
                else:
                    keep = ref.select_triattention(centre, abs_mean, keys[cache], kpos[cache], t + 1, budget)
                cache = cache[keep]
                ax.plot(np.full(cache.size, t), kpos[cache], "_", ms=4, color="tab:blue", alpha=0.5)
        ax.plot([0, kpos.size], [0, kpos.size], color="0.8", lw=0.8)
        ax.set_title(policy, fontsize=9); ax.set_xlabel("decode step of the eviction", fontsize=8)
        ax.tick_params(labelsize=7)
    axes[0].set_ylabel("positions of the kept keys", fontsize=8)
    fig.suptitle("kept keys after each of 18 evictions (budget 256, cache peaks at 384)", fontsize=9)
    fig.tight_layout()
    return fig


FIGURES["289_eviction_over_time.png"] = eviction_over_time

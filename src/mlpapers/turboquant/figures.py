"""Background figures of the TurboQuant chapter (problems 173-178), one idea per image.

Every answer a figure needs (the Lemma-1 density, a Lloyd-Max codebook, the quantisers) comes from
the instructor's module through ``mlpapers.figures.reference("turboquant")`` at render time, so the
installed package holds none. ``python -m mlpapers figures`` writes them to
``solutions/turboquant/figures/``.
"""
from __future__ import annotations

import numpy as np

from mlpapers.figures import reference

CHAPTER = "turboquant"


def _plt():
    import matplotlib.pyplot as plt
    return plt


def _unit_rows(rng, n, d):
    X = rng.standard_normal((n, d))
    return X / np.linalg.norm(X, axis=1, keepdims=True)


def rotated_coordinate_density():
    """173: one coordinate of a uniformly rotated unit vector, f_d against its Gaussian limit."""
    ref, plt = reference(CHAPTER), _plt()
    fig, axes = plt.subplots(1, 3, figsize=(7.0, 2.6), sharey=True)
    rng = np.random.default_rng(0)
    for ax, d in zip(axes, (3, 8, 64)):
        X = _unit_rows(rng, 20000, d)                    # Pi x for a Haar Pi is uniform on the sphere
        s = np.sqrt(d)
        ax.hist(s * X[:, 0], bins=50, range=(-3.5, 3.5), density=True, color="0.8", label="samples")
        t = np.linspace(-3.5, 3.5, 701)
        ax.plot(t, ref.sphere_coordinate_pdf(t / s, d) / s, color="C0", label=r"$f_d$ (Lemma 1)")
        ax.plot(t, np.exp(-t * t / 2) / np.sqrt(2 * np.pi), "--", color="C3", label=r"$\mathcal{N}(0,1)$")
        ax.set_title(f"d = {d}")
        ax.set_xlabel(r"$\sqrt{d}\,(\Pi x)_0$")
    axes[0].set_ylabel("density")
    axes[0].legend(fontsize=7, loc="upper left")
    fig.tight_layout()
    return fig


def lloyd_max_cells():
    """174: the 2-bit and 3-bit Lloyd-Max cells and centroids on f_d (d = 16)."""
    ref, plt = reference(CHAPTER), _plt()
    d = 16
    s = np.sqrt(d)
    fig, axes = plt.subplots(1, 2, figsize=(7.0, 2.7), sharey=True)
    t = np.linspace(-1, 1, 2001)
    f = ref.sphere_coordinate_pdf(t, d) / s
    for ax, b in zip(axes, (2, 3)):
        c, bnd = ref.lloyd_max(b, d)
        edges = np.concatenate(([-1.0], bnd, [1.0]))
        for i in range(len(c)):
            inside = (t >= edges[i]) & (t <= edges[i + 1])
            ax.fill_between(s * t[inside], f[inside], color=("C0" if i % 2 else "C9"), alpha=0.35, lw=0)
        ax.plot(s * t, f, color="k", lw=1)
        for e in bnd:
            ax.axvline(s * e, color="0.4", lw=0.8, ls=":")
        ax.plot(s * c, np.zeros_like(c), "o", color="C3", ms=5, clip_on=False, label="centroid = cell mean")
        D = d * ref.quantizer_mse(c, d)
        ax.set_title(f"b = {b}: {2 ** b} cells, $D_{{mse}}$ = {D:.4f}")
        ax.set_xlim(-3.6, 3.6)
        ax.set_xlabel(r"$\sqrt{d}\,x$  (d = 16)")
    axes[0].set_ylabel(r"$f_d$ on the $\sqrt{d}$ axis")
    axes[0].legend(fontsize=7, loc="upper left")
    fig.tight_layout()
    return fig


def rotate_round_rotate_back():
    """175: a spiky vector, its rotated coordinates rounded to 2 bits, and the reconstruction."""
    ref, plt = reference(CHAPTER), _plt()
    d, b = 16, 2
    rng = np.random.default_rng(3)
    x = np.zeros(d)
    x[[2, 9]] = [0.9, -0.44]
    x /= np.linalg.norm(x)
    Pi = ref.random_rotation(d, rng)
    c = ref.lloyd_max(b, d)[0]
    idx, norm = ref.tq_mse_quantize(x, Pi, c)
    y = Pi @ x
    x_hat = ref.tq_mse_dequantize(idx, norm, Pi, c)
    j = np.arange(d)
    fig, axes = plt.subplots(1, 3, figsize=(7.2, 2.6), sharey=True)
    axes[0].bar(j, x, color="C0")
    axes[0].set_title("1. unit vector x")
    axes[1].bar(j, y, color="C0", label=r"$y = \Pi x$")
    axes[1].plot(j, c[idx], "_", color="C3", ms=10, mew=2.5, label="rounded $c_{idx}$")
    for level in c:
        axes[1].axhline(level, color="0.7", lw=0.6)
    axes[1].set_title("2. rotate, round to 2 bits")
    axes[1].legend(fontsize=7, loc="lower left")
    axes[2].bar(j, x, color="0.8", label="x")
    err = np.sum((x - x_hat) ** 2)
    axes[2].plot(j, x_hat, "o", color="C3", ms=3.5, label=rf"$\hat x = \Pi^\top c_{{idx}}$, error {err:.3f}")
    axes[2].set_title("3. rotate back")
    axes[2].legend(fontsize=7, loc="lower left")
    for ax in axes:
        ax.set_xlabel("coordinate j")
    axes[0].set_ylabel("value")
    fig.tight_layout()
    return fig


def qjl_sketch():
    """176: QJL's asymmetric estimate is centred on <q, k>; the sign-sign one is not."""
    ref, plt = reference(CHAPTER), _plt()
    d, m, draws = 32, 32, 4000
    rng = np.random.default_rng(1)
    q = _unit_rows(rng, 1, d)[0]
    w = rng.standard_normal(d)
    w -= (w @ q) * q
    w /= np.linalg.norm(w)
    k = 0.7 * q + np.sqrt(1 - 0.49) * w            # <q, k> = 0.7
    asym, sym = np.empty(draws), np.empty(draws)
    for t in range(draws):
        S = rng.standard_normal((m, d))
        signs, norm = ref.qjl_quantize(k, S)
        asym[t] = ref.qjl_inner_product(q, signs, norm, S)
        sym[t] = float(signs @ np.where(S @ q >= 0, 1, -1)) / m    # both sides quantised
    fig, ax = plt.subplots(figsize=(5.6, 2.8))
    bins = np.linspace(-0.2, 1.6, 60)
    ax.hist(asym, bins=bins, alpha=0.6, color="C0", label="QJL: sign(Sk), full-precision Sq")
    ax.hist(sym, bins=bins, alpha=0.6, color="C1", label="sign(Sk) and sign(Sq)")
    ax.axvline(0.7, color="k", lw=1.5, label=r"true $\langle q,k\rangle$ = 0.7")
    ax.axvline(asym.mean(), color="C0", ls="--", lw=1.2)
    ax.axvline(sym.mean(), color="C1", ls="--", lw=1.2)
    ax.set_xlabel(f"estimate of <q, k> (d = m = {d}, {draws} draws of S; dashed: means)")
    ax.set_ylabel("count")
    ax.legend(fontsize=7, loc="upper left")
    fig.tight_layout()
    return fig


def mse_bias_prod_unbiased():
    """177: E<y, x_hat> against <y, x>: TurboQuant_mse shrinks it by alpha_b, prod does not."""
    ref, plt = reference(CHAPTER), _plt()
    d, n = 32, 1500
    rng = np.random.default_rng(2)
    Pi = np.eye(d)                                  # random pairs stand in for a Haar rotation
    rhos = np.linspace(-0.9, 0.9, 7)
    fig, axes = plt.subplots(1, 2, figsize=(7.0, 2.8), sharey=True)
    for ax, b in zip(axes, (1, 2)):
        c_mse = ref.lloyd_max(b, d)[0]
        c_prod = ref.lloyd_max(b - 1, d)[0]
        m_mse, m_prod = [], []
        for rho in rhos:
            X = _unit_rows(rng, n, d)
            W = rng.standard_normal((n, d))
            W -= (W * X).sum(1, keepdims=True) * X
            W /= np.linalg.norm(W, axis=1, keepdims=True)
            Y = rho * X + np.sqrt(1 - rho ** 2) * W
            X_mse = ref.tq_mse_dequantize(*ref.tq_mse_quantize(X, Pi, c_mse), Pi, c_mse)
            S = rng.standard_normal((d, d))
            X_prod = ref.tq_prod_dequantize(*ref.tq_prod_quantize(X, Pi, c_prod, S), Pi, c_prod, S)
            m_mse.append((Y * X_mse).sum(1).mean())
            m_prod.append((Y * X_prod).sum(1).mean())
        alpha = 1 - d * ref.quantizer_mse(c_mse, d)
        ax.plot(rhos, rhos, color="0.6", lw=1, label="exact")
        ax.plot(rhos, m_mse, "o", color="C3", label=f"mse, {b} bit(s)")
        ax.plot(rhos, alpha * rhos, "--", color="C3", lw=1, label=fr"slope $\alpha_{b}$ = {alpha:.3f}")
        ax.plot(rhos, m_prod, "s", color="C0", ms=4, label=f"prod, {b} bit(s)")
        ax.set_title(f"b = {b}, d = {d}")
        ax.set_xlabel(r"$\langle y, x\rangle$")
        ax.legend(fontsize=7, loc="upper left")
    axes[0].set_ylabel(r"mean $\langle y, \hat x\rangle$")
    fig.tight_layout()
    return fig


def kv_cache_memory():
    """178: bytes per 128-dimensional cache vector, fp16 against TurboQuant (fp16 norms)."""
    plt = _plt()
    d, norm_bytes = 128, 2
    bits = np.arange(1, 5)
    mse = np.ceil(d * bits / 8) + norm_bytes                            # indices + |x|
    prod = np.ceil(d * (bits - 1) / 8) + np.ceil(d / 8) + 2 * norm_bytes  # indices + signs + |x|, gamma
    fig, ax = plt.subplots(figsize=(5.6, 2.8))
    ax.axhline(2 * d, color="k", lw=1.2, label=f"fp16: {2 * d} bytes")
    ax.bar(bits - 0.18, mse, width=0.36, color="C0", label="TurboQuant_mse")
    ax.bar(bits + 0.18, prod, width=0.36, color="C1", label="TurboQuant_prod")
    for b, a, p in zip(bits, mse, prod):
        ax.text(b - 0.18, a + 4, f"{int(a)}", ha="center", fontsize=7)
        ax.text(b + 0.18, p + 4, f"{int(p)}", ha="center", fontsize=7)
    ax.set_xticks(bits)
    ax.set_xlabel("bits per coordinate b")
    ax.set_ylabel("bytes per vector (d = 128)")
    ax.set_ylim(0, 280)
    ax.legend(fontsize=7, loc="center right")
    ax.set_title("One key or value of one head, norms in fp16")
    fig.tight_layout()
    return fig


FIGURES = {
    "173_rotated_coordinate.png": rotated_coordinate_density,
    "174_lloyd_max_cells.png": lloyd_max_cells,
    "175_rotate_round_back.png": rotate_round_rotate_back,
    "176_qjl_estimates.png": qjl_sketch,
    "177_mse_bias.png": mse_bias_prod_unbiased,
    "178_cache_bytes.png": kv_cache_memory,
}

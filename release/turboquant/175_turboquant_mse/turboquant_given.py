"""What problem 175 is given from the TurboQuant chapter.

Problems build on each other: once an earlier problem is done, later ones may rely on it
without trusting your own version. This module holds the reference answers that
problem 175 uses, and nothing more:

* ``lloyd_max``: your answer to problem 174
* ``nearest_centroid``: a helper
* ``quantizer_mse``: your answer to problem 174
* ``random_rotation``: your answer to problem 173
"""
from __future__ import annotations

import functools
import math
from typing import Any
import numpy as np


__all__ = ["lloyd_max", "nearest_centroid", "quantizer_mse", "random_rotation"]


def _check_int(value: Any, name: str, low: int | None = None, high: int | None = None) -> int:
    """Return ``value`` as an int; TypeError if it is not an integer (bools rejected), ValueError if out of range."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__}")
    value = int(value)
    if low is not None and value < low:
        raise ValueError(f"{name} must be >= {low}, got {value}")
    if high is not None and value > high:
        raise ValueError(f"{name} must be <= {high}, got {value}")
    return value


def _real_array(x: Any, name: str) -> np.ndarray:
    """``np.asarray(x, float64)`` with a TypeError for complex, object or string input."""
    arr = np.asarray(x)
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{name} must hold real numbers, got dtype {arr.dtype}")
    return arr.astype(np.float64)


def _check_codebook(centroids: Any, name: str = "centroids") -> np.ndarray:
    """A finite, non-empty, strictly increasing 1-D float64 codebook (else ValueError)."""
    c = _real_array(centroids, name)
    if c.ndim != 1 or c.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D array, got shape {c.shape}")
    if not np.all(np.isfinite(c)):
        raise ValueError(f"{name} must be finite")
    if np.any(np.diff(c) <= 0):
        raise ValueError(f"{name} must be strictly increasing")
    return c


def qr_sign_fix(Q: np.ndarray, R: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Make a QR factorisation unique: ``(Q D, D R)`` with ``D = diag(sign(diag R))``, sign(0) = +1.

    Args:
        Q: (d, d) float, orthogonal factor.
        R: (d, d) float, upper-triangular factor.
    Returns:
        ``(Q_tilde, R_tilde)``, both (d, d) float64, with ``Q_tilde @ R_tilde == Q @ R`` and
        ``diag(R_tilde) >= 0``.
    Raises:
        ValueError: if Q or R is not square 2-D or their shapes differ.
    """
    Q = _real_array(Q, "Q")
    R = _real_array(R, "R")
    for name, M in (("Q", Q), ("R", R)):
        if M.ndim != 2 or M.shape[0] != M.shape[1]:
            raise ValueError(f"{name} must be a square 2-D matrix, got shape {M.shape}")
    if Q.shape != R.shape:
        raise ValueError(f"Q and R must have the same shape, got {Q.shape} and {R.shape}")
    signs = np.where(np.diag(R) >= 0, 1.0, -1.0)  # (d,), sign(0) := +1
    return Q * signs[None, :], signs[:, None] * R  # scale the columns of Q, the rows of R


def random_rotation(d: int, rng: np.random.Generator) -> np.ndarray:
    """A Haar-random (d, d) orthogonal matrix: QR of a Gaussian matrix with the sign fix.

    Consumes exactly one draw ``rng.standard_normal((d, d))``.

    Raises:
        TypeError: d not an integer, or rng not a ``np.random.Generator``.
        ValueError: d < 1.
    """
    d = _check_int(d, "d", low=1)
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
    G = rng.standard_normal((d, d))
    Q, R = np.linalg.qr(G)
    return qr_sign_fix(Q, R)[0]


@functools.lru_cache(maxsize=None)
def _log_norm(d: int) -> float:
    """log of Gamma(d/2) / (sqrt(pi) Gamma((d-1)/2)), the Lemma-1 normaliser (lgamma: no overflow)."""
    return math.lgamma(d / 2) - 0.5 * math.log(math.pi) - math.lgamma((d - 1) / 2)


def _pdf(x: np.ndarray, d: int) -> np.ndarray:
    """Lemma-1 density on a float64 array (no validation); 0 for |x| >= 1."""
    inside = np.abs(x) < 1
    xs = np.where(inside, x, 0.0)
    vals = np.exp(_log_norm(d) + 0.5 * (d - 3) * np.log1p(-xs * xs))
    return np.where(inside, vals, 0.0)


@functools.lru_cache(maxsize=None)
def _cdf_terms(d: int) -> tuple[np.ndarray, np.ndarray]:
    """The k of the CDF recursion F_k = F_{k-2} + t f_k / (k-2) above the base case, and log norms."""
    base = 2 if d % 2 == 0 else 3
    ks = np.arange(base + 2, d + 1, 2)
    return ks, np.array([_log_norm(int(k)) for k in ks])


def _cdf(t: np.ndarray, d: int) -> np.ndarray:
    """F_d(t) for a float64 array (no validation), by the closed-form recursion, all terms at once."""
    t = np.clip(t, -1.0, 1.0)
    F = 0.5 + np.arcsin(t) / math.pi if d % 2 == 0 else 0.5 * (1.0 + t)
    ks, log_norms = _cdf_terms(d)
    if ks.size:
        with np.errstate(divide="ignore"):
            log1m = np.log1p(-t * t)[..., None]  # (..., 1); -inf at |t| = 1, where every term is 0
        terms = np.exp(log_norms + 0.5 * (ks - 3) * log1m) / (ks - 2)  # (..., K) = f_k(t) / (k-2)
        F = F + t * terms.sum(axis=-1)
    return np.clip(F, 0.0, 1.0)


def _gauss_pdf(t: np.ndarray) -> np.ndarray:
    return np.exp(-0.5 * t * t) / math.sqrt(2 * math.pi)


_erfc = np.frompyfunc(math.erfc, 1, 1)


def _gauss_cdf(t: np.ndarray) -> np.ndarray:
    return (0.5 * _erfc(-np.asarray(t, float) / math.sqrt(2))).astype(float)


def _partial_moments(t: np.ndarray, d: int | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Antiderivatives (F, int x f, int x^2 f) at the points t (which may be +-inf for the Gaussian)."""
    if d is None:
        phi = _gauss_pdf(t)
        F = _gauss_cdf(t)
        tphi = np.where(np.isfinite(t), t, 0.0) * phi  # t phi(t) -> 0 at +-inf
        return F, -phi, F - tphi
    t = np.clip(t, -1.0, 1.0)
    F = _cdf(t, d)
    f = _pdf(t, d)
    return F, -(1 - t * t) * f / (d - 1), (F - t * (1 - t * t) * f) / d


def _cells(boundaries: np.ndarray, d: int | None) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Edges (with the support's ends) and per-cell mass, first and second moments."""
    lo, hi = (-np.inf, np.inf) if d is None else (-1.0, 1.0)
    edges = np.concatenate(([lo], boundaries, [hi]))
    F, M1, M2 = _partial_moments(edges, d)
    return edges, np.diff(F), np.diff(M1), np.diff(M2)


def _density(t: np.ndarray, d: int | None) -> np.ndarray:
    return _gauss_pdf(t) if d is None else _pdf(t, d)


def _equal_mass_boundaries(n: int, d: int | None) -> np.ndarray:
    """Boundaries of n cells of equal probability (bisection on the CDF), a safe starting point."""
    target = np.arange(1, n) / n
    lo = np.full(n - 1, -8.0 if d is None else -1.0)
    hi = -lo
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        F = _gauss_cdf(mid) if d is None else _cdf(mid, d)
        below = F < target
        lo = np.where(below, mid, lo)
        hi = np.where(below, hi, mid)
    return 0.5 * (lo + hi)


def _residual(t: np.ndarray, d: int | None) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Fixed-point residual t - midpoints(cell means), with the cell means and masses."""
    edges, m0, m1, _ = _cells(t, d)
    means = m1 / m0
    return t - 0.5 * (means[:-1] + means[1:]), means, m0, edges


def lloyd_max(bits: int, d: int | None = None, *, tol: float = 1e-12,
              max_iter: int = 100_000) -> tuple[np.ndarray, np.ndarray]:
    """MSE-optimal scalar codebook (Lloyd-Max) for N(0, 1) (d None) or the Lemma-1 density f_d.

    Solves the fixed point ``t_i = (c_i + c_{i+1})/2``, ``c_i = E[X | t_{i-1} < X <= t_i]`` by a
    damped Newton iteration on the boundaries t (tridiagonal Jacobian) from equal-mass cells.

    Args:
        bits: b in 0..8; the codebook has 2**b entries.
        d: None for the standard normal, or an integer >= 3 for f_d.
        tol: stop when the largest boundary step is below ``tol * sigma`` (sigma = 1 or 1/sqrt(d)).
        max_iter: most Newton steps.
    Returns:
        ``(centroids (2**b,), boundaries (2**b - 1,))`` float64, ascending, exactly symmetric,
        boundaries the midpoints of neighbouring centroids.
    """
    bits = _check_int(bits, "bits", low=0, high=8)
    if d is not None:
        d = _check_int(d, "d", low=3)
    max_iter = _check_int(max_iter, "max_iter", low=1)
    if not (isinstance(tol, (int, float)) and tol > 0):
        raise ValueError(f"tol must be a positive number, got {tol!r}")
    n = 2 ** bits
    if n == 1:
        return np.zeros(1), np.zeros(0)
    sigma = 1.0 if d is None else 1.0 / math.sqrt(d)
    t = _equal_mass_boundaries(n, d)
    g, means, m0, edges = _residual(t, d)
    for _ in range(max_iter):
        # Jacobian of g(t) = t - (T_i + T_{i+1})/2; T_i depends on t_{i-1} and t_i only.
        f = _density(t, d)
        k = n - 1
        dT_right = f * (t - means[:-1]) / m0[:-1]  # dT_i/dt_i for cells i = 0..n-2 (right edge t_i)
        dT_left = f * (means[1:] - t) / m0[1:]     # dT_{i+1}/dt_i (left edge of cell i+1)
        J = np.eye(k)
        J[np.arange(k), np.arange(k)] -= 0.5 * (dT_right + dT_left)
        # g_i involves T_{i+1}, which depends on t_{i+1} (its right edge): dT_{i+1}/dt_{i+1}
        J[np.arange(k - 1), np.arange(1, k)] -= 0.5 * dT_right[1:]
        # g_i involves T_i, which depends on t_{i-1} (its left edge): dT_i/dt_{i-1}
        J[np.arange(1, k), np.arange(k - 1)] -= 0.5 * dT_left[:-1]
        step = np.linalg.solve(J, -g)
        norm0 = np.max(np.abs(g))
        lam = 1.0
        while True:
            t_new = t + lam * step
            ok = np.all(np.diff(np.concatenate(([edges[0]], t_new, [edges[-1]]))) > 0)
            if ok:
                g_new, means_new, m0_new, edges = _residual(t_new, d)
                if np.all(m0_new > 0) and (np.max(np.abs(g_new)) <= norm0 or lam < 1e-3):
                    break
            lam *= 0.5
            if lam < 1e-6:
                raise RuntimeError("lloyd_max: Newton iteration failed to make progress")
        done = np.max(np.abs(lam * step)) < tol * sigma
        t, g, means, m0 = t_new, g_new, means_new, m0_new
        if done:
            break
    else:
        raise RuntimeError(f"lloyd_max did not converge in {max_iter} steps")
    c = (means - means[::-1]) / 2  # exact antisymmetry c[::-1] == -c
    return c, (c[:-1] + c[1:]) / 2


def quantizer_mse(centroids: Any, d: int | None = None) -> float:
    """E[(X - nearest centroid)^2] for X ~ N(0, 1) (d None) or f_d (d >= 3), in closed form.

    Works for any strictly increasing codebook (cells are split at the midpoints).
    """
    c = _check_codebook(centroids)
    if d is not None:
        d = _check_int(d, "d", low=3)
    _, m0, m1, m2 = _cells((c[:-1] + c[1:]) / 2, d)
    return float(np.sum(m2 - 2 * c * m1 + c * c * m0))


def nearest_centroid(values: Any, centroids: Any) -> np.ndarray:
    """Index of the nearest centroid for every value (ties go to the lower index).

    Returns:
        int64 array with the shape of ``values``.
    """
    c = _check_codebook(centroids)
    v = _real_array(values, "values")
    if not np.all(np.isfinite(v)):
        raise ValueError("values must be finite")
    return np.searchsorted((c[:-1] + c[1:]) / 2, v, side="left").astype(np.int64)

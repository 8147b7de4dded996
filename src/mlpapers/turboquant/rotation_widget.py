"""Explorer for problem 173: is the student's rotation Haar, and what does a coordinate look like?

TurboQuant (arXiv:2504.19874, Sec. 3.1, Lemma 1) multiplies every input by a random rotation Pi.
For a Haar-random Pi, Pi x is uniform on the sphere for any unit x, so each coordinate has the
density f_d of Lemma 1, close to N(0, 1/d) for large d. The widget draws many rotations with the
student's ``random_rotation`` and histograms the first coordinate of Pi e_1, i.e. Pi[0, 0], on
the sqrt(d)-scaled axis, with the student's ``sphere_coordinate_pdf`` and the Gaussian limit on
top. With the sign fix switched off it uses the raw ``np.linalg.qr`` factor instead, whose
Pi[0, 0] is never positive (LAPACK's Householder convention), so the histogram is one-sided.

Not covered: the quantiser (problems 174-175).
"""
from __future__ import annotations

import math
from typing import Callable

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np

from mlpapers.widgetkit import Explorer

__all__ = ["D_CHOICES", "first_entries", "draw_rotation", "rotation_explorer"]

D_CHOICES = (2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64)
"""Dimensions offered by the d slider (QR of many d x d matrices must stay fast)."""


def first_entries(random_rotation: Callable, d: int, n: int, sign_fix: bool = True,
                  seed: int = 0) -> np.ndarray:
    """Pi[0, 0] = (Pi e_1)_0 for ``n`` rotations of size d.

    Args:
        random_rotation: the student's ``random_rotation(d, rng) -> (d, d)``.
        d: dimension.
        n: number of rotations.
        sign_fix: False draws raw ``np.linalg.qr`` factors instead of calling the student.
        seed: seed of the generator passed to every call.
    Returns:
        (n,) float64 array.
    """
    rng = np.random.default_rng(seed)
    out = np.empty(n)
    for i in range(n):
        if sign_fix:
            out[i] = np.asarray(random_rotation(d, rng))[0, 0]
        else:
            out[i] = np.linalg.qr(rng.standard_normal((d, d)))[0][0, 0]
    return out


def draw_rotation(random_rotation: Callable, sphere_coordinate_pdf: Callable, d: int = 8,
                  sign_fix: bool = True, n: int = 1000, seed: int = 0):
    """Histogram of sqrt(d) Pi[0, 0] with f_d and N(0, 1) drawn over it.

    Returns:
        ``(figure, readout)``; artists labelled "histogram", "f_d (yours)", "N(0, 1/d)".
    """
    vals = first_entries(random_rotation, d, n, sign_fix, seed) * math.sqrt(d)
    reach = min(math.sqrt(d), 4.0)
    fig, ax = plt.subplots(figsize=(5.6, 3.2))
    heights, _, _ = ax.hist(vals, bins=40, range=(-reach, reach), density=True, color="tab:blue", alpha=0.45,
            label="histogram")
    z = np.linspace(-reach, reach, 401)
    with np.errstate(all="ignore"):
        pdf = np.asarray(sphere_coordinate_pdf(z / math.sqrt(d), d), dtype=float) / math.sqrt(d)
    ax.plot(z, pdf, color="tab:red", label="f_d (yours)")
    ax.plot(z, np.exp(-0.5 * z * z) / math.sqrt(2 * math.pi), ":", color="0.3", label="N(0, 1/d)")
    top = np.nanmax(pdf[np.isfinite(pdf)]) if np.any(np.isfinite(pdf)) else 1.0
    ax.set_ylim(0, 1.1 * max(0.45, min(top, 2.0), float(np.max(heights))))
    ax.set_xlabel(r"$\sqrt{d}\,\Pi_{00}$")
    ax.set_title(f"d = {d}, {n} rotations, sign fix {'on' if sign_fix else 'off'}", fontsize=9)
    ax.legend(fontsize=7, loc="upper right")
    fig.tight_layout()
    positive = float(np.mean(vals > 0))
    readout = (f"d = {d}: mean of Pi[0,0] = {vals.mean() / math.sqrt(d):+.4f}, "
               f"P(Pi[0,0] > 0) = {positive:.3f} (Haar: 0.5), "
               f"d * mean(Pi[0,0]^2) = {np.mean(vals ** 2):.3f} (Haar: 1)")
    return fig, readout


def rotation_explorer(random_rotation: Callable, sphere_coordinate_pdf: Callable,
                      d: int = 8) -> Explorer:
    """Widget: d slider (2..64) and a sign-fix toggle.

    Example: ``rotation_explorer(random_rotation, sphere_coordinate_pdf).show(interactive)``
    """
    if d not in D_CHOICES:
        raise ValueError(f"d must be one of {D_CHOICES}, got {d!r}")
    controls = {
        "d": widgets.SelectionSlider(options=D_CHOICES, value=d, description="dimension d"),
        "sign_fix": widgets.Checkbox(value=True, description="sign fix"),
    }

    def draw(d: int, sign_fix: bool):
        return draw_rotation(random_rotation, sphere_coordinate_pdf, d, sign_fix)

    return Explorer(draw, controls, title="Haar rotation: one coordinate of a rotated unit vector")

"""Explorer for problem 400: a stack of residual layers as Euler steps of the EDM PF-ODE.

Two panels, both computed from the student's ``euler_trajectory`` run with the exact denoiser of
one-dimensional Gaussian data N(MU, S^2) (the notebook's ``gaussian_denoiser``, passed in):

* the trajectories of a few 1-D points under N Euler steps (= N residual layers) on a geometric
  noise schedule from ``sigma_max`` down to SIGMA_END, drawn over the exact ODE transport
  x(sigma) = MU + sqrt((S^2 + sigma^2) / (S^2 + sigma_max^2)) (x(sigma_max) - MU), both in the
  standardised coordinate (x - MU) / sqrt(S^2 + sigma^2), which the exact transport keeps constant;
* the largest endpoint error against that closed form for N = 1, 2, 4, ..., 1024 on log-log
  axes, with the current N marked and a slope -1 guide (Euler's method is first order).

The closed-form transport is the exact solution of the ODE for Gaussian data (EDM Eq. 1 with
sigma(t) = t), not an answer of the problem. Not covered: Heun's second-order correction (EDM
Algorithm 1), which the notebook mentions under Going further.
"""
from __future__ import annotations

from typing import Callable

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np

from mlpapers.widgetkit import Explorer

__all__ = ["MU", "S", "SIGMA_END", "STARTS", "STEP_CHOICES", "SIGMA_MAX_CHOICES", "ERROR_STEPS",
           "geometric_sigmas", "exact_transport", "standardised", "start_points", "endpoint_errors", "draw_euler",
           "make_euler_explorer"]

#: mean and standard deviation of the 1-D Gaussian data (S = sigma_data = 0.5 of EDM)
MU, S = 0.0, 0.5
#: the last noise level of every schedule (the hidden test's 0.01)
SIGMA_END = 0.01
#: starting points in units of the noisy marginal's standard deviation sqrt(S^2 + sigma_max^2)
STARTS = (-2.0, -1.0, 0.3, 1.0, 2.0)
#: values of the steps slider (= number of residual layers)
STEP_CHOICES = (1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128, 256, 512, 1024)
#: values of the sigma_max slider
SIGMA_MAX_CHOICES = (1.0, 2.0, 5.0, 10.0, 20.0, 80.0)
#: step counts of the error panel
ERROR_STEPS = tuple(2 ** k for k in range(11))


def geometric_sigmas(sigma_max: float, num_steps: int, sigma_end: float = SIGMA_END) -> np.ndarray:
    """``num_steps + 1`` noise levels spaced evenly in log sigma from ``sigma_max`` down to ``sigma_end``.

    Example: ``geometric_sigmas(10.0, 3)`` -> ``[10, 1, 0.1, 0.01]``.
    """
    return np.geomspace(float(sigma_max), float(sigma_end), int(num_steps) + 1)


def exact_transport(x_start, sigma_start: float, sigma, mu: float = MU, s: float = S) -> np.ndarray:
    """The exact PF-ODE solution for N(mu, s^2) data: x(sigma) from x(sigma_start), any shapes that broadcast.

    Example: ``exact_transport(4.0, 2.0, 0.0, 0.0, 0.5)`` -> ``4 * sqrt(0.25 / 4.25) = 0.9701...``.
    """
    ratio = np.sqrt((s * s + np.asarray(sigma, dtype=float) ** 2) / (s * s + float(sigma_start) ** 2))
    return mu + ratio * (np.asarray(x_start, dtype=float) - mu)


def standardised(x, sigma, mu: float = MU, s: float = S) -> np.ndarray:
    """(x - mu) / sqrt(s^2 + sigma^2): the exact transport keeps this constant along every trajectory.

    Example: ``standardised(exact_transport(4.0, 2.0, 0.1), 0.1)`` -> ``4 / sqrt(4.25) = 1.94...``.
    """
    return (np.asarray(x, dtype=float) - mu) / np.sqrt(s * s + np.asarray(sigma, dtype=float) ** 2)


def start_points(sigma_max: float) -> np.ndarray:
    """The widget's 1-D starting points at ``sigma_max``: MU + STARTS * sqrt(S^2 + sigma_max^2)."""
    return MU + np.asarray(STARTS) * np.sqrt(S * S + float(sigma_max) ** 2)


def endpoint_errors(euler_trajectory: Callable, denoise_fn: Callable, sigma_max: float,
                    steps=ERROR_STEPS) -> np.ndarray:
    """Largest |Euler endpoint - exact endpoint| over the start points, for each step count in ``steps``."""
    x0 = start_points(sigma_max)
    want = exact_transport(x0, sigma_max, SIGMA_END)
    errors = []
    for n in steps:
        out = np.asarray(euler_trajectory(x0, geometric_sigmas(sigma_max, n), denoise_fn), dtype=float)
        errors.append(float(np.max(np.abs(out[-1] - want))))
    return np.array(errors)


def draw_euler(*, euler_trajectory: Callable, gaussian_denoiser: Callable, steps: int = 6,
               sigma_max: float = 10.0):
    """Trajectories under ``steps`` Euler steps and the endpoint error curve; returns ``(figure, readout)``."""
    steps, sigma_max = int(steps), float(sigma_max)

    def denoise(x, sigma):
        return gaussian_denoiser(x, sigma, MU, S)

    x0 = start_points(sigma_max)
    sigmas = geometric_sigmas(sigma_max, steps)
    traj = np.asarray(euler_trajectory(x0, sigmas, denoise), dtype=float)     # (steps + 1, 5)
    fine = np.geomspace(sigma_max, SIGMA_END, 200)
    exact = exact_transport(x0[None, :], sigma_max, fine[:, None])            # (200, 5)
    errors = endpoint_errors(euler_trajectory, denoise, sigma_max)

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(7.8, 3.5), gridspec_kw={"width_ratios": [1.3, 1.0]})
    for j in range(x0.size):
        ax1.plot(fine, standardised(exact[:, j], fine), color="0.55", lw=1.0, gid=f"exact_{j}",
                 label="exact transport" if j == 0 else None)
        ax1.plot(sigmas, standardised(traj[:, j], sigmas), "o-", ms=3 if steps <= 64 else 0, lw=1.2, color="tab:blue",
                 gid=f"euler_{j}", label="your euler_trajectory" if j == 0 else None)
    ax1.set_xscale("log")
    ax1.set_xlim(sigma_max * 1.3, SIGMA_END / 1.3)
    ax1.set_xlabel(r"noise level $\sigma$ (the network runs left to right)")
    ax1.set_ylabel(r"$(x - \mu)\,/\,\sqrt{s^2 + \sigma^2}$")
    ax1.set_title(f"{steps} residual layers from σ = {sigma_max:g} to {SIGMA_END:g}", fontsize=9)
    ax1.grid(True, lw=0.3, alpha=0.6)
    ax1.set_ylim(-3.0, 2.4)
    ax1.legend(fontsize=7, loc="lower center", ncol=2)

    n = np.array(ERROR_STEPS, dtype=float)
    ax2.loglog(n, errors, "o-", ms=3, lw=1.2, color="tab:blue", gid="endpoint_errors")
    ax2.loglog(n, errors[-1] * n[-1] / n, "--", lw=0.9, color="0.4", gid="slope_guide", label="slope −1")
    current = float(np.max(np.abs(traj[-1] - exact[-1])))
    ax2.loglog([steps], [current], "o", ms=8, mfc="none", mec="tab:red", mew=1.5, gid="current_steps")
    ax2.set_xlabel("Euler steps N (residual layers)")
    ax2.set_ylabel("max |endpoint − exact|")
    ax2.set_title("endpoint error at σ = 0.01", fontsize=9)
    ax2.grid(True, which="major", lw=0.3, alpha=0.6)
    ax2.legend(fontsize=7, loc="lower left")
    fig.subplots_adjust(left=0.1, right=0.98, bottom=0.15, top=0.9, wspace=0.3)

    slope = float(np.polyfit(np.log(n[-4:]), np.log(errors[-4:]), 1)[0])
    readout = (f"N = {steps} Euler steps (residual layers), sigma_max = {sigma_max:g} -> {SIGMA_END:g}, "
               f"data N({MU:g}, {S:g}^2):\n"
               f"  largest endpoint error {current:.3e}\n"
               f"  log-log slope of the error over N = 128..1024: {slope:.2f} (Euler is first order: -1)")
    return fig, readout


def make_euler_explorer(euler_trajectory: Callable, gaussian_denoiser: Callable) -> Explorer:
    """Explorer with a ``steps`` slider (1 ... 1024 layers) and a ``sigma_max`` slider.

    Example: ``make_euler_explorer(euler_trajectory, gaussian_denoiser).show(interactive)``
    """
    controls = {
        "steps": widgets.SelectionSlider(options=[(str(k), k) for k in STEP_CHOICES], value=6,
                                         description="steps N", continuous_update=False),
        "sigma_max": widgets.SelectionSlider(options=[(f"{v:g}", v) for v in SIGMA_MAX_CHOICES], value=10.0,
                                             description="σ_max", continuous_update=False),
    }

    def draw(**values):
        return draw_euler(euler_trajectory=euler_trajectory, gaussian_denoiser=gaussian_denoiser, **values)

    return Explorer(draw, controls, title="A stack of residual layers = Euler steps of the PF-ODE")

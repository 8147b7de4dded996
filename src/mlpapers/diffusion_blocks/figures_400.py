"""Figure of problem 400 (a residual layer is an Euler step), shown in its Background before the task.

The Euler trajectories are graded answers, so they come from the instructor's module through
``mlpapers.figures.reference("diffusion_blocks")`` at render time, never from package code.
"""
from __future__ import annotations

import numpy as np

from mlpapers.diffusion_blocks.euler_widget import (MU, S, SIGMA_END, exact_transport, geometric_sigmas,
                                                    standardised, start_points)


def euler_trajectories():
    """400: 1-D points under 3, 6 and 24 Euler steps from sigma = 10 against the exact ODE transport."""
    import matplotlib.pyplot as plt
    from mlpapers.figures import reference
    ref = reference("diffusion_blocks")

    def denoise(x, sigma):
        return ref.gaussian_denoiser(x, sigma, MU, S)

    sigma_max = 10.0
    x0 = start_points(sigma_max)
    fine = np.geomspace(sigma_max, SIGMA_END, 200)
    exact = exact_transport(x0[None, :], sigma_max, fine[:, None])
    fig, axes = plt.subplots(1, 3, figsize=(7.8, 2.9), sharey=True)
    for ax, steps in zip(axes, (3, 6, 24)):
        sigmas = geometric_sigmas(sigma_max, steps)
        traj = ref.euler_trajectory(x0, sigmas, denoise)
        err = float(np.max(np.abs(traj[-1] - exact[-1])))
        for j in range(x0.size):
            ax.plot(fine, standardised(exact[:, j], fine), color="0.6", lw=1.0,
                    label="exact transport" if j == 0 else None)
            ax.plot(sigmas, standardised(traj[:, j], sigmas), "o-", ms=3, lw=1.1, color="tab:blue",
                    label="Euler steps" if j == 0 else None)
        ax.set_xscale("log")
        ax.set_xlim(sigma_max * 1.4, SIGMA_END / 1.4)
        ax.set_title(f"N = {steps} layers: endpoint error {err:.3f}", fontsize=9)
        ax.set_xlabel(r"$\sigma$ (layer order →)")
        ax.grid(True, lw=0.3, alpha=0.6)
    axes[0].set_ylabel(r"$(x - \mu)\,/\,\sqrt{s^2 + \sigma^2}$")
    axes[0].set_ylim(-3.0, 2.4)
    axes[2].legend(fontsize=7, loc="lower right", ncol=2)
    fig.subplots_adjust(left=0.08, right=0.98, bottom=0.17, top=0.89, wspace=0.08)
    return fig


FIGURES = {
    "400_euler_trajectories.png": euler_trajectories,
}

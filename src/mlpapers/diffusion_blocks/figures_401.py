"""Figure of problem 401 (block boundaries), shown in its Background before the task.

The equal-mass boundaries and the routing are graded answers, so they come from the instructor's
module through ``mlpapers.figures.reference("diffusion_blocks")`` at render time, never from
package code. The drawing is the explorer's (``boundaries_widget.draw_partition``) at B = 3 and
EDM's P_mean = -1.2, P_std = 1.2.
"""
from __future__ import annotations


def equal_mass_blocks():
    """401: the log-normal density of ln(sigma), B = 3 equal-mass blocks above the log-uniform split."""
    from mlpapers.diffusion_blocks.boundaries_widget import draw_partition
    from mlpapers.figures import reference
    ref = reference("diffusion_blocks")
    fig, _ = draw_partition(block_boundaries=ref.block_boundaries, assign_block=ref.assign_block,
                            lognormal_cdf=ref.lognormal_cdf, num_blocks=3, p_mean=-1.2, p_std=1.2)
    return fig


FIGURES = {
    "401_equal_mass_blocks.png": equal_mass_blocks,
}

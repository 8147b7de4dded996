"""Tests of the diffusion denoising viewer (mlpapers.diffusiongemma.denoising_viewer).

The traces are written by hand (no sampler involved), so every expected count is visible here.
"""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.figure  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from mlpapers.diffusiongemma.denoising_viewer import (  # noqa: E402
    DenoisingViewer,
    denoising_viewer,
    plot_denoising_filmstrip,
    render_denoising_step,
)
from mlpapers.diffusiongemma.target_denoiser import TargetDenoiser  # noqa: E402

ITOS = ["a", "b", "c", "d"]


def make_trace(converged=True):
    """A 3-step, L = 4 trace: accepted counts 1, 2, 4; argmax changes at positions 1 and 3 on step 1
    (both still noise: not revisions); position 1, accepted as "b" at step 1, is predicted "c" at step 2
    (the one revision)."""
    argmax = np.array([[0, 1, 2, 3], [0, 2, 2, 0], [0, 2, 2, 0]])
    accepted = np.array([[1, 0, 0, 0], [1, 1, 0, 0], [1, 1, 1, 1]], dtype=bool)
    canvases = np.array([[3, 3, 1, 0], [0, 1, 0, 2], [0, 1, 3, 3]])
    entropy = np.array([[0.01, 0.9, 1.2, 1.3], [0.0, 0.05, 0.7, 0.8], [0.0, 0.0, 0.001, 0.002]])
    return {
        "tokens": argmax[-1][None].copy(), "steps": 3, "converged": converged,
        "canvases": canvases[:, None], "argmax": argmax[:, None], "accepted": accepted[:, None],
        "sampled": np.array([[0, 1, 2, 3], [0, 1, 2, 0], [0, 2, 2, 0]])[:, None], "entropy": entropy[:, None],
    }


def cells(fig, gid=None):
    ax = fig.axes[0]
    return [p for p in ax.patches if (p.get_gid() or "").endswith("-cell") and (gid is None or p.get_gid() == gid)]


def outlined(fig):
    return [p for p in cells(fig, "prediction-cell") if p.get_linewidth() == 2.5]


def revisions(fig):
    return [t for t in fig.axes[0].texts if t.get_gid() == "revision"]


def test_render_returns_figure_with_two_cells_per_position():
    fig = render_denoising_step(make_trace(), 0, ITOS)
    assert isinstance(fig, matplotlib.figure.Figure)
    assert len(cells(fig)) == 2 * 4
    assert len(cells(fig, "input-cell")) == 4 and len(cells(fig, "prediction-cell")) == 4


@pytest.mark.parametrize("step, accepted", [(0, 1), (1, 2), (2, 4)])
def test_accepted_outlines_and_title(step, accepted):
    fig = render_denoising_step(make_trace(), step, ITOS)
    assert len(outlined(fig)) == accepted
    assert f"accepted {accepted}/4" in fig.axes[0].get_title()
    assert fig.axes[0].get_title().startswith(f"step {step + 1}/3")


def test_revision_markers_only_where_an_accepted_token_changed():
    trace = make_trace()
    assert revisions(render_denoising_step(trace, 0, ITOS)) == []          # no step before
    assert revisions(render_denoising_step(trace, 1, ITOS)) == []          # argmax changed only on noise
    assert len(revisions(render_denoising_step(trace, 2, ITOS))) == 1      # accepted "b" now predicted "c"


def test_input_row_marks_fresh_noise_in_grey():
    # step 1: positions accepted at step 0 = {0} are kept (white), the rest are fresh noise (grey)
    faces = [matplotlib.colors.to_hex(p.get_facecolor()) for p in cells(render_denoising_step(make_trace(), 1, ITOS), "input-cell")]
    assert faces[0] == "#ffffff" and all(f != "#ffffff" for f in faces[1:])


def test_prediction_colour_follows_entropy():
    fig = render_denoising_step(make_trace(), 0, ITOS)
    cmap = matplotlib.colormaps["viridis_r"]
    expected = cmap(1.3 / np.log(4))
    assert np.allclose(cells(fig, "prediction-cell")[3].get_facecolor(), expected)


def test_title_temperature_and_stop_mark():
    temps = [0.8, 0.7, 0.6]
    last = render_denoising_step(make_trace(), 2, ITOS, temperatures=temps).axes[0].get_title()
    assert "T=0.600" in last and "stop \u2713" in last
    not_converged = render_denoising_step(make_trace(converged=False), 2, ITOS).axes[0].get_title()
    assert "stop" not in not_converged and "T=" not in not_converged


@pytest.mark.parametrize("step", [3, -1])
def test_bad_step_raises_index_error(step):
    with pytest.raises(IndexError):
        render_denoising_step(make_trace(), step, ITOS)


def test_bad_row_and_bad_trace():
    with pytest.raises(IndexError):
        render_denoising_step(make_trace(), 0, ITOS, row=1)
    with pytest.raises(ValueError):
        render_denoising_step({"steps": 1}, 0, ITOS)


def test_long_canvas_wraps_and_keeps_all_cells():
    L = 40
    rng = np.random.default_rng(0)
    trace = {"steps": 2, "converged": False, "tokens": np.zeros((1, L), dtype=np.int64),
             "canvases": rng.integers(0, 4, (2, 1, L)), "argmax": rng.integers(0, 4, (2, 1, L)),
             "accepted": rng.random((2, 1, L)) < 0.5, "sampled": rng.integers(0, 4, (2, 1, L)),
             "entropy": rng.random((2, 1, L))}
    fig = render_denoising_step(trace, 1, ITOS)
    assert len(cells(fig)) == 2 * L
    assert len(outlined(fig)) == int(trace["accepted"][1].sum())
    ys = {round(p.get_y(), 3) for p in cells(fig, "prediction-cell")}
    assert len(ys) == 2                                                  # two wrapped rows


def test_filmstrip_one_row_per_step():
    fig = plot_denoising_filmstrip(make_trace(), ITOS)
    assert len(cells(fig, "prediction-cell")) == 3 * 4
    assert len(outlined(fig)) == 1 + 2 + 4
    assert len(revisions(fig)) == 1


def test_viewer_step_slider_redraws():
    viewer = denoising_viewer(make_trace(), ITOS)
    assert isinstance(viewer, DenoisingViewer)
    assert viewer.controls["step"].max == 2 and viewer.play.max == 2
    assert "canvas" not in viewer.controls
    viewer.controls["step"].value = 1
    assert len(outlined(viewer.figure)) == 2
    assert "accepted 2/4" in viewer.readout
    viewer.controls["step"].value = 2
    assert "stop \u2713" in viewer.figure.axes[0].get_title()


def test_viewer_canvas_selector_updates_range_and_text():
    short = make_trace()
    # a longer hand-made trace: 5 steps, nothing accepted until the end
    long = {k: (np.concatenate([v, v[-1:], v[-1:]]) if isinstance(v, np.ndarray) and v.ndim == 3 else v)
            for k, v in short.items()}
    long["steps"] = 5
    viewer = denoising_viewer([short, long], ITOS, prompt_text=">")
    canvas = viewer.controls["canvas"]
    canvas.value = 1
    assert viewer.controls["step"].max == 4
    viewer.controls["step"].value = 4
    assert viewer.figure.axes[0].get_title().startswith("step 5/5")
    # finished canvas 0 ("acca") then "|" then the current argmax canvas
    assert "text: >acca|acca" in viewer.readout
    canvas.value = 0                                                     # slider clamps to 3 steps
    assert viewer.controls["step"].max == 2 and viewer.controls["step"].value == 2
    assert viewer.figure.axes[0].get_title().startswith("step 3/3")


def test_viewer_show_unattended_displays_only_the_figure():
    viewer = denoising_viewer(make_trace(), ITOS)
    viewer.show(False)                                                   # no frontend: must not raise


def test_viewer_rejects_non_traces():
    with pytest.raises(TypeError):
        denoising_viewer([], ITOS)
    with pytest.raises(ValueError):
        denoising_viewer({"steps": 2}, ITOS)


def test_target_denoiser_logits():
    fn = TargetDenoiser([[1, 2, 3, 0, 1]], vocab_size=4)
    canvas = np.array([[1, 2, 0, 0, 0]])                                 # agreement 3/5
    z = fn(canvas, 1)
    assert z.shape == (1, 5, 4)
    height = 3.0 * 2 * (0.2 + 0.6)
    assert np.allclose(z[0, np.arange(5), [1, 2, 3, 0, 1]], height)
    assert np.count_nonzero(z) == 5
    assert fn.calls == [1]


def test_events_are_marked_on_the_entropy_panel():
    fig = render_denoising_step(make_trace(), 0, ITOS, events={"stable": 1, "confident": 2, "never": None})
    marks = [line for line in fig.axes[1].lines if line.get_gid() == "event"]
    assert [m.get_xdata()[0] for m in marks] == [2, 3]              # 1-based step axis
    viewer = denoising_viewer(make_trace(), ITOS, events={"stable": 1})
    viewer.controls["step"].value = 2
    assert len([line for line in viewer.figure.axes[1].lines if line.get_gid() == "event"]) == 1

"""Tests for the per-layer-embedding explorer of problem 184: drive the controls, check what is drawn.

The student functions are the chapter's reference (``solutions/gemma4/gemma4_given.py``, loaded by
path); every expected value below is recomputed here from the toy model's arrays with plain NumPy.
"""
import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from mlpapers.gemma4 import ple_widget as pw
from mlpapers.figures import reference
from coursekit import quickest_redraw

given = reference("gemma4")  # the instructor's given module, loaded by path


def _explorer():
    return pw.make_ple_explorer(given.ple_inputs, given.per_layer_input_gate, given.rms_norm)


def _by_gid(fig, gid):
    return [a for ax in fig.axes for a in ax.findobj() if getattr(a, "get_gid", lambda: None)() == gid]


def _heights(fig, gid):
    return np.array([p.get_height() for p in _by_gid(fig, gid)])


def _parts(model, token, layer):
    """t_l, c_l, u_l of eqs. (1)-(3), written out for one token and one layer."""
    P, D = pw.P, pw.D
    t = np.sqrt(P) * model["ple_table"][token, layer * P:(layer + 1) * P]
    e = model["embed"][token] * np.sqrt(D)
    block = (e @ model["w_model_proj"] / np.sqrt(D))[layer * P:(layer + 1) * P]
    c = block / np.sqrt(np.mean(block ** 2) + 1e-6) * model["proj_norm_weight"]
    return t, c, (c + t) / np.sqrt(2)


def _norm(x, w=1.0):
    return x / np.sqrt(np.mean(x ** 2, axis=-1, keepdims=True) + 1e-6) * w


def _updates(model, token, scale=1.0, apply_to="g"):
    """RMS of the toy MLP and of the PLE update per layer, the stack written out with plain NumPy."""
    h = model["embed"][[token]] * np.sqrt(pw.D)
    mlp, ple = [], []
    for l in range(pw.L):
        m = np.tanh(_norm(h) @ model["w_mlp_in"][l]) @ model["w_mlp_out"][l]
        delta = _norm(m, model["mlp_post_norm"][l])
        h = h + delta
        mlp.append(np.sqrt(np.mean(delta ** 2)))
        u = np.stack([_parts(model, token, l)[2]]) * (scale if apply_to == "u" else 1.0)
        x = h @ model["w_gate"][l]
        gate = 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x ** 3)))
        g = model["post_norm_weight"][l] * (scale if apply_to == "g" else 1.0)
        step = _norm((gate * u) @ model["w_proj"][l], g)
        h = h + step
        ple.append(np.sqrt(np.mean(step ** 2)))
    return np.array(mlp), np.array(ple)


def test_controls_and_defaults():
    e = _explorer()
    assert set(e.controls) == {"token", "layer", "scale", "apply_to"}
    assert (e.controls["token"].min, e.controls["token"].max) == (0, pw.V - 1)
    assert (e.controls["layer"].min, e.controls["layer"].max) == (0, pw.L - 1)
    assert e.controls["scale"].value == 1.0 and e.controls["apply_to"].value == "g"
    assert all(e.controls[n].continuous_update is False for n in ("token", "layer", "scale"))
    assert len(e.figure.axes) == 2


@pytest.mark.parametrize("token, layer", [(7, 3), (0, 0), (47, 7), (20, 5)])
def test_left_panel_bars_are_t_c_u_of_the_chosen_token_and_layer(token, layer):
    e = _explorer()
    e.controls["token"].value = token
    e.controls["layer"].value = layer
    model = pw.toy_model(0)
    t, c, u = _parts(model, token, layer)
    np.testing.assert_allclose(_heights(e.figure, "t"), t, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(_heights(e.figure, "c"), c, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(_heights(e.figure, "u"), u, rtol=1e-10, atol=1e-12)
    assert e.figure.axes[0].get_title() == f"token {token}, layer {layer}"
    assert f"token {token}, layer {layer}: RMS of t_l {np.sqrt(np.mean(t ** 2)):.3f}" in e.readout


def test_right_panel_stacks_both_updates_per_layer_and_outlines_the_chosen_layer():
    e = _explorer()
    e.controls["layer"].value = 5
    mlp, ple = _updates(pw.toy_model(0), 7)
    np.testing.assert_allclose(_heights(e.figure, "mlp_update"), mlp, rtol=1e-9)
    np.testing.assert_allclose(_heights(e.figure, "ple_update"), ple, rtol=1e-9)
    bottoms = np.array([p.get_y() for p in _by_gid(e.figure, "ple_update")])
    np.testing.assert_allclose(bottoms, mlp, rtol=1e-12)
    box = _by_gid(e.figure, "selected_layer")[0]
    assert box.get_x() + box.get_width() / 2 == pytest.approx(5)
    assert box.get_height() == pytest.approx(mlp[5] + ple[5])
    share = ple / (mlp + ple)
    assert f"at layer 5: {100 * share[5]:.1f} %" in e.readout
    assert f"mean over the {pw.L} layers {100 * share.mean():.1f} %" in e.readout
    # the synthetic post-norm weights grow with depth, and so does the PLE share
    assert np.all(np.diff(share) > 0)


def test_scaling_u_leaves_the_update_alone_until_eps_takes_over():
    e = _explorer()
    unscaled = _heights(e.figure, "ple_update")
    e.controls["apply_to"].value = "u"
    for s in (10.0, 0.1):
        e.controls["scale"].value = s
        np.testing.assert_allclose(_heights(e.figure, "ple_update"), unscaled, rtol=1e-3)
    e.controls["scale"].value = 0.01
    np.testing.assert_allclose(_heights(e.figure, "ple_update"), unscaled, rtol=3e-2)
    e.controls["scale"].value = 1e-4
    faded = _heights(e.figure, "ple_update")
    assert np.all(faded < unscaled) and np.all(faded[[0, 7]] < 0.1 * unscaled[[0, 7]])
    np.testing.assert_allclose(faded, _updates(pw.toy_model(0), 7, 1e-4, "u")[1], rtol=1e-9)
    assert "u_l × 0.0001" in e.readout


def test_scaling_g_scales_the_update():
    e = _explorer()
    unscaled = _heights(e.figure, "ple_update")
    e.controls["scale"].value = 10 ** 0.5
    scaled = _heights(e.figure, "ple_update")
    assert scaled[0] == pytest.approx(10 ** 0.5 * unscaled[0], rel=1e-9)   # same h before the first PLE step
    np.testing.assert_allclose(scaled, _updates(pw.toy_model(0), 7, 10 ** 0.5, "g")[1], rtol=1e-9)
    assert "g_l × 3.16228" in e.readout


def test_a_wrong_ple_inputs_is_visible_in_the_readout():
    """A student who normalises the sum (mistake of the spec) breaks u = (c + t)/sqrt(2) in the widget's check."""
    def normalise_the_sum(token_ids, inputs_embeds, ple_table, w_model_proj, proj_norm_weight, num_layers, eps=1e-6):
        ids = np.asarray(token_ids)
        T, D = np.shape(inputs_embeds)
        P = np.shape(ple_table)[1] // num_layers
        proj = (np.asarray(inputs_embeds) @ w_model_proj / np.sqrt(D)).reshape(T, num_layers, P)
        t = np.sqrt(P) * np.asarray(ple_table)[ids].reshape(T, num_layers, P)
        return given.rms_norm(proj + t, proj_norm_weight, eps) / np.sqrt(2)

    good = _explorer().readout
    bad = pw.make_ple_explorer(normalise_the_sum, given.per_layer_input_gate, given.rms_norm).readout
    gap = lambda text: float(text.split("largest |u - (c + t)/sqrt(2)| ")[1].split()[0])
    assert gap(good) < 1e-12 < 0.1 < gap(bad)


def test_redraw_is_fast_and_show_is_static_when_unattended(monkeypatch):
    e = _explorer()
    assert quickest_redraw(e, "token", (1, 2, 3)) < 0.5
    shown = []
    monkeypatch.setattr(pw.Explorer, "show", lambda self, interactive=True: shown.append(interactive))
    e.show(False)
    assert shown == [False]

"""Tests of the TurboQuant widgets of problems 176-178 (driven from Python, no browser)."""
from __future__ import annotations

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "solutions" / "turboquant"))
import turboquant_given as given  # noqa: E402  (the chapter's reference answers)

from mlpapers.turboquant import kv_cache_widget as kw  # noqa: E402
from mlpapers.turboquant import prod_widget as pw  # noqa: E402
from mlpapers.turboquant import qjl_widget as qw  # noqa: E402


def _vline_x(ax, label):
    """x position of the one vertical line of ``ax`` with the given label."""
    found = [ln for ln in ax.lines if ln.get_label() == label]
    assert len(found) == 1, f"expected one line labelled {label!r}, found {len(found)}"
    return found[0].get_xdata()[0]


# --- 176: QJL ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def qjl():
    return qw.qjl_explorer(given.qjl_quantize, given.qjl_inner_product, given.qjl_variance, draws=400)


def test_qjl_estimates_unbiased_and_sign_sign_biased():
    asym, ss = qw.qjl_estimates(64, 60, given.qjl_quantize, given.qjl_inner_product, draws=1500, seed=3)
    # True <q, k> = cos 60 deg = 0.5; QJL std = sqrt((pi/2 - 0.25)/64) = 0.1437, s.e. 0.0037.
    assert abs(asym.mean() - 0.5) < 4 * asym.std() / np.sqrt(len(asym))
    # Sign-sign mean is 1 - 2 theta / pi = 1/3, far from 0.5.
    assert abs(ss.mean() - 1 / 3) < 0.02


def test_qjl_controls_redraw_and_move_true_line(qjl):
    qjl.controls["angle_deg"].value = 90
    ax = qjl.figure.axes[0]
    assert abs(_vline_x(ax, "true ⟨q,k⟩")) < 1e-12
    assert "true <q,k> = +0.0000" in qjl.readout
    qjl.controls["m"].value = 256
    assert "m = 256" in qjl.figure.axes[0].get_title()
    # two histograms over about 45 bins spanning the range
    assert len(qjl.figure.axes[0].patches) >= 2 * 20


def test_qjl_readout_sigma_is_the_exact_variance(qjl):
    qjl.controls["m"].value = 64
    qjl.controls["angle_deg"].value = 0
    sigma = np.sqrt((np.pi / 2 - 1) / 64)
    assert f"qjl_variance gives std {sigma:.4f}" in qjl.readout


# --- 177: TurboQuant_prod ------------------------------------------------------------------

FUNCS = dict(prod_quantize=given.tq_prod_quantize, prod_dequantize=given.tq_prod_dequantize,
             mse_quantize=given.tq_mse_quantize, mse_dequantize=given.tq_mse_dequantize,
             lloyd_max=given.lloyd_max)


def test_random_pairs_have_exact_inner_product():
    X, Y = pw.random_pairs(50, 16, 0.3, np.random.default_rng(0))
    assert np.allclose(np.linalg.norm(X, axis=1), 1) and np.allclose(np.linalg.norm(Y, axis=1), 1)
    assert np.allclose((X * Y).sum(1), 0.3)


def test_prod_errors_means_match_theory():
    err_mse, err_prod = pw.prod_errors(1, 0.6, d=32, draws=2000, **FUNCS)
    alpha = given.mse_inner_product_bias(1, 32)
    se_mse = err_mse.std() / np.sqrt(len(err_mse))
    assert abs(err_mse.mean() + (1 - alpha) * 0.6) < 5 * se_mse + 1e-3
    # prod is unbiased; 20 batches share S, so allow a loose band
    assert abs(err_prod.mean()) < 0.03


@pytest.fixture(scope="module")
def prod():
    return pw.prod_explorer(given.tq_prod_quantize, given.tq_prod_dequantize, given.mse_inner_product_bias,
                            given.tq_mse_quantize, given.tq_mse_dequantize, given.lloyd_max, d=32, draws=400)


def test_prod_explorer_lines_follow_controls(prod):
    prod.controls["bits"].value = 1
    prod.controls["rho"].value = 0.5
    ax = prod.figure.axes[0]
    alpha = given.mse_inner_product_bias(1, 32)
    assert abs(_vline_x(ax, "mse mean −(1−α_b)ρ") + (1 - alpha) * 0.5) < 1e-12
    assert _vline_x(ax, "prod mean 0") == 0
    assert f"alpha_b = {alpha:.4f}" in prod.readout
    prod.controls["bits"].value = 3
    assert "b = 3" in prod.figure.axes[0].get_title()
    assert "d*E[err^2]" in prod.readout


# --- 178: KV cache -------------------------------------------------------------------------

def _attention(Q, K, V, key_bits, value_bits, rng, key_mode="prod"):
    """Reference decode attention over a TurboQuant cache, built from the given functions."""
    d, dv = K.shape[1], V.shape[1]
    K_hat, V_hat = K, V
    if key_bits is not None:
        Pi = given.random_rotation(d, rng)
        if key_mode == "mse":
            c = given.lloyd_max(key_bits, d)[0]
            K_hat = given.tq_mse_dequantize(*given.tq_mse_quantize(K, Pi, c), Pi, c)
        else:
            S = rng.standard_normal((d, d))
            c = given.lloyd_max(key_bits - 1, d)[0]
            K_hat = given.tq_prod_dequantize(*given.tq_prod_quantize(K, Pi, c, S), Pi, c, S)
    if value_bits is not None:
        Pi = given.random_rotation(dv, rng)
        c = given.lloyd_max(value_bits, dv)[0]
        V_hat = given.tq_mse_dequantize(*given.tq_mse_quantize(V, Pi, c), Pi, c)
    L = np.atleast_2d(Q) @ K_hat.T / np.sqrt(d)
    W = np.exp(L - L.max(1, keepdims=True))
    out = (W / W.sum(1, keepdims=True)) @ V_hat
    return out[0] if np.ndim(Q) == 1 else out


def _vector_bytes(d, bits, mode="mse", norm_bytes=2):
    if bits is None:
        return 2 * d
    if mode == "mse":
        return -(-d * bits // 8) + norm_bytes
    return -(-d * (bits - 1) // 8) + -(-d // 8) + 2 * norm_bytes


def _cache_bytes(n_tokens, n_layers, n_kv_heads, head_dim, key_bits, value_bits, key_mode="prod", norm_bytes=2):
    return n_tokens * n_layers * n_kv_heads * (_vector_bytes(head_dim, key_bits, key_mode, norm_bytes)
                                               + _vector_bytes(head_dim, value_bits, "mse", norm_bytes))


def test_needle_data_and_errors_fall_with_bits():
    K, V, q, j = kw.needle_data(512, d=32, strength=1.5)
    assert K.shape == (512, 32) and j == 512 // 3 and np.allclose(q, 1.5 * K[j])
    errs = kw.needle_errors(_attention, K, V, q, value_bits=None)
    assert errs["mse"].shape == (4,) and np.all(np.diff(errs["mse"]) < 0)


@pytest.fixture(scope="module")
def kv():
    return kw.kv_cache_explorer(_attention, _cache_bytes, _vector_bytes)


def test_kv_explorer_panels_and_memory(kv):
    kv.controls["n"].value = 256
    kv.controls["key_bits"].value = 3
    kv.controls["value_bits"].value = 3
    kv.controls["key_mode"].value = "mse"
    fig = kv.figure
    assert len(fig.axes) == 3
    mem = fig.axes[2]
    heights = [p.get_height() for p in mem.patches]
    # Llama-3.1-8B at 256 tokens: fp16 32 MiB; 3/3 mse 100 B per token-head-layer -> 6.25 MiB; split 5 MiB
    assert np.allclose(heights, [32.0, 6.25, 5.0])
    assert "5.12x smaller" in kv.readout
    # weights panel: 21 positions around the needle, two bar series
    assert len(fig.axes[0].patches) == 2 * 21


def test_kv_explorer_key_mode_changes_curve_labels(kv):
    kv.controls["key_mode"].value = "prod"
    kv.controls["key_bits"].value = 2
    assert "prod 2-bit keys" in [t.get_text() for t in kv.figure.axes[0].get_legend().get_texts()]
    labels = [ln.get_label() for ln in kv.figure.axes[1].lines]
    assert labels == ["mse keys", "prod keys"]

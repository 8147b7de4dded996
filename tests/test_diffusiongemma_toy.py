"""Tests for the DiffusionGemma chapter's exact toy denoiser (mlpapers.diffusiongemma.toy_denoiser)."""
from __future__ import annotations

import itertools

import numpy as np
import pytest

from mlpapers.diffusiongemma.toy_denoiser import ToyWordDenoiser


def brute_force_posterior(model, last, canvas, alpha):
    """p(x_l = v | last, canvas) by summing the joint over every clean canvas (V**L of them)."""
    V = model.vocab_size
    L = len(canvas)
    post = np.zeros((L, V))
    for xs in itertools.product(range(V), repeat=L):
        w = model.P[last, xs[0]]
        for a, b in zip(xs[:-1], xs[1:]):
            w *= model.P[a, b]
        for l, v in enumerate(xs):
            w *= alpha[l] * (v == canvas[l]) + (1 - alpha[l]) / V
        for l, v in enumerate(xs):
            post[l, v] += w
    return post / post.sum(-1, keepdims=True)


def test_default_vocabulary_and_language():
    m = ToyWordDenoiser()
    assert m.itos == list("_jumpingblocksthread")
    assert m.vocab_size == 20
    np.testing.assert_allclose(m.P.sum(1), 1.0)
    np.testing.assert_allclose(m.initial, m.P[0])
    # after "_" each of the three words starts with probability 1/3
    np.testing.assert_allclose(m.P[0, m.encode_text("jbt")], 1 / 3)
    assert m.decode(m.encode_text("thread_blocks")) == "thread_blocks"
    assert m.is_valid(m.encode_text("jumping"), m.encode_text("_thread_"))
    assert not m.is_valid(m.encode_text("jumping"), m.encode_text("thread_"))  # "g" -> "t" is not allowed
    assert m.transition_accuracy(m.encode_text("jumping"), m.encode_text("thread_")) == pytest.approx(6 / 7)


def test_posterior_rows_sum_to_one_and_rule_out_impossible_tokens():
    m = ToyWordDenoiser()
    m.encode(m.encode_text("jumping"))
    rng = np.random.default_rng(0)
    canvas = rng.integers(0, 20, size=(3, 16))
    logp = m.denoise(canvas)
    assert logp.shape == (3, 16, 20) and logp.dtype == np.float64
    np.testing.assert_allclose(np.exp(logp).sum(-1), 1.0, atol=1e-12)
    # the cache ends in "g", so the first canvas token must be the separator
    np.testing.assert_allclose(logp[:, 0, 0], 0.0, atol=1e-12)
    assert np.all(np.isneginf(logp[:, 0, 1:]))
    assert not np.any(np.isnan(logp))


@pytest.mark.parametrize("use_self_cond", [False, True])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_posterior_matches_brute_force_enumeration(seed, use_self_cond):
    m = ToyWordDenoiser(words=("ab", "c"), trust_noise=0.4, trust_self=0.9)  # V = 4, tiny
    rng = np.random.default_rng(seed)
    prompt = rng.integers(0, 4, size=2)
    m.encode(prompt)
    canvas = rng.integers(0, 4, size=(1, 4))
    self_cond = rng.normal(size=(1, 4, 4)) if use_self_cond else None
    alpha = np.full(4, 0.4)
    if use_self_cond:
        alpha = np.where(self_cond[0].argmax(-1) == canvas[0], 0.9, 0.4)
    want = brute_force_posterior(m, int(prompt[-1]), canvas[0], alpha)
    got = np.exp(m.denoise(canvas, self_cond))[0]
    np.testing.assert_allclose(got, want, atol=1e-12)


def test_empty_cache_uses_the_separator_as_context():
    m = ToyWordDenoiser(words=("ab", "c"))
    canvas = np.array([[1, 2, 0]])
    want = brute_force_posterior(m, 0, canvas[0], np.full(3, m.trust_noise))
    np.testing.assert_allclose(np.exp(m.denoise(canvas))[0], want, atol=1e-12)


def test_denoise_is_deterministic_and_does_not_mutate_inputs():
    m = ToyWordDenoiser()
    m.encode(m.encode_text("blocks"))
    canvas = np.random.default_rng(3).integers(0, 20, size=(2, 8))
    sc = np.random.default_rng(4).normal(size=(2, 8, 20))
    c0, s0 = canvas.copy(), sc.copy()
    a = m.denoise(canvas, sc)
    b = m.denoise(canvas, sc)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(canvas, c0)
    np.testing.assert_array_equal(sc, s0)


def test_self_conditioning_raises_trust_where_argmax_agrees():
    m = ToyWordDenoiser()
    m.encode(m.encode_text("jumping"))
    canvas = m.encode_text("_thread_blocks_j")[None]
    sc_agree = np.full((1, 16, 20), -5.0)
    np.put_along_axis(sc_agree, canvas[..., None], 5.0, axis=-1)
    plain = np.exp(m.denoise(canvas))
    trusted = np.exp(m.denoise(canvas, sc_agree))
    # a valid canvas that agrees with the previous prediction is believed more strongly
    p_plain = np.take_along_axis(plain, canvas[..., None], -1)
    p_trusted = np.take_along_axis(trusted, canvas[..., None], -1)
    assert np.all(p_trusted >= p_plain - 1e-12) and np.any(p_trusted > p_plain + 1e-3)


def test_encode_denoise_split_and_counters():
    m = ToyWordDenoiser()
    canvas = np.zeros((1, 4), dtype=np.int64)
    m.encode(np.array([], dtype=np.int64))            # empty prefill still counts as one pass
    assert (m.encoder_calls, m.cache_len) == (1, 0)
    m.encode(m.encode_text("jum"))
    assert (m.encoder_calls, m.cache_len, m.last_token()) == (2, 3, m.stoi["m"])
    before = m.denoise(canvas)
    assert m.decoder_calls == 1 and m.cache_len == 3   # the denoiser reads the cache, never writes it
    # the cache, not the canvas, decides the context: after "jum" comes "p"
    assert np.exp(before[0, 0, m.stoi["p"]]) == pytest.approx(1.0)
    m.encode(m.encode_text("ping_"))
    after = m.denoise(canvas)
    assert np.exp(after[0, 0, m.stoi["p"]]) == pytest.approx(0.0)
    m.reset()
    assert (m.encoder_calls, m.decoder_calls, m.ar_calls, m.cache_len) == (0, 0, 0, 0)


def test_ar_forward_returns_next_token_log_probabilities():
    m = ToyWordDenoiser()
    logp = m.ar_forward(m.encode_text("thread_"))
    np.testing.assert_allclose(np.exp(logp), m.P[0])
    logp = m.ar_forward(m.encode_text("b"))
    assert np.exp(logp[m.stoi["l"]]) == pytest.approx(1.0)
    assert (m.ar_calls, m.cache_len) == (2, 8)


def test_bad_input():
    m = ToyWordDenoiser()
    with pytest.raises(ValueError, match="canvas"):
        m.denoise(np.zeros(4, dtype=np.int64))
    with pytest.raises(ValueError, match="canvas"):
        m.denoise(np.full((1, 4), 20))
    with pytest.raises(TypeError, match="canvas"):
        m.denoise(np.zeros((1, 4)))
    with pytest.raises(ValueError, match="self_cond"):
        m.denoise(np.zeros((1, 4), dtype=np.int64), np.zeros((1, 4, 3)))
    with pytest.raises(ValueError, match="words"):
        ToyWordDenoiser(words=("ab", "bc"))
    with pytest.raises(ValueError, match="trust_noise"):
        ToyWordDenoiser(trust_noise=1.0)
    with pytest.raises(ValueError, match="vocabulary"):
        m.encode_text("xyz")


def test_repeated_requests_return_fresh_equal_arrays():
    # denoise memoises identical requests; callers must still get their own array each time
    m = ToyWordDenoiser()
    canvas = m.encode_text("_thread_blocks_j")[None]
    a = m.denoise(canvas)
    a[...] = 0.0
    b = m.denoise(canvas)
    assert not np.array_equal(a, b) and m.decoder_calls == 2
    m.encode(m.encode_text("jumping"))              # a new context must not reuse the old answer
    c = m.denoise(canvas)
    assert not np.array_equal(b, c)

"""Peer test for problem 419: the course's selective scan against established pure-PyTorch scans.

Peers (test-only dependencies), all given the same float64 random inputs:

* ``mambapy`` (``mambapy.mamba.MambaBlock.selective_scan_seq``, a sequential loop, and
  ``selective_scan``, the Blelloch parallel scan ``mambapy.pscan``). Its layout is Mamba-1's:
  channels ED with a per-channel diagonal A (ED, N) and one B, C (batch, L, N) for all channels.
  We map Mamba-2 onto it one group at a time: the channels are the (head, p) pairs of the group's
  H / G heads, A[h * P + p, :] = A_h (a per-head scalar repeated over p and n), delta = dt_h
  repeated over p, D likewise, and B, C are the group's. mambapy starts from a zero state and
  returns only y, so the final state is compared through y.
* ``transformers``' NemotronH mixer, its reference PyTorch chunked scan ``mamba2_chunk_scan`` (used
  when ``mamba_ssm`` is not installed; it computes in float32 internally, hence the looser
  tolerance) and its one-token decode step ``mamba2_selective_state_update``.

Largest differences measured over the cases below, relative to the largest |y| (or |state|):
mambapy sequential 2.4e-16, mambapy parallel scan 3.7e-16 (float64 throughout); transformers'
chunk scan 1.8e-7 on y and 6.6e-6 on the final state (float32 inside); transformers' decode
step 2.0e-8 (its decay exp(dt A) is float32).
"""

import types

import numpy as np
import pytest

import mambapy.mamba as mamba
import torch
import transformers.models.nemotron_h.modeling_nemotron_h as nemotron_h

from mlpapers.figures import reference

given = reference("nemotron3")
SHAPES = [(37, 8, 4, 2, 8), (64, 8, 4, 8, 8), (16, 6, 2, 3, 5), (5, 2, 3, 1, 4)]


def _case(seed, L, H, P, G, N):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((L, H, P))
    dt = given.mamba2_dt(rng.standard_normal((L, H)), rng.standard_normal(H))
    A = -np.exp(rng.uniform(-2.0, 1.5, H))
    B, C = rng.standard_normal((L, G, N)), rng.standard_normal((L, G, N))
    D = rng.standard_normal(H)
    return x, dt, A, B, C, D


def _mambapy(scan, x, dt, A, B, C, D):
    """y (L, H, P) from a mambapy scan, one call per group of H // G heads."""
    L, H, P = x.shape
    G, N = B.shape[1], B.shape[2]
    per = H // G
    y = np.empty_like(x)
    for g in range(G):
        heads = slice(g * per, (g + 1) * per)
        this = types.SimpleNamespace(config=types.SimpleNamespace(d_inner=per * P, d_state=N))
        out = scan(this,
                   torch.tensor(x[:, heads].reshape(1, L, per * P)),               # (1, L, ED)
                   torch.tensor(np.repeat(dt[:, heads], P, axis=1)[None]),         # delta (1, L, ED)
                   torch.tensor(np.repeat(A[heads], P)[:, None] * np.ones((1, N))),  # A (ED, N)
                   torch.tensor(B[None, :, g]), torch.tensor(C[None, :, g]),       # (1, L, N)
                   torch.tensor(np.repeat(D[heads], P)))                           # D (ED,)
        assert out.dtype == torch.float64
        y[:, heads] = out[0].numpy().reshape(L, per, P)
    return y


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("scan", ["selective_scan_seq", "selective_scan"])
def test_ssd_recurrent_matches_mambapy(shape, scan):
    x, dt, A, B, C, D = _case(sum(shape), *shape)
    y, _ = given.ssd_recurrent(x, dt, A, B, C, D)
    peer = _mambapy(getattr(mamba.MambaBlock, scan), x, dt, A, B, C, D)
    scale = np.abs(y).max()
    assert np.abs(y - peer).max() <= 1e-12 * scale


@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_final_state_through_mambapy(shape):
    """mambapy returns no state: read the state of the course's scan back through y with C = unit vectors."""
    L, H, P, G, N = shape
    x, dt, A, B, C, D = _case(sum(shape) + 1, *shape)
    _, state = given.ssd_recurrent(x, dt, A, B, C)
    for n in range(N):
        unit = np.zeros((L, G, N))
        unit[-1, :, n] = 1.0
        peer = _mambapy(mamba.MambaBlock.selective_scan_seq, x, dt, A, B, unit, np.zeros(H))
        np.testing.assert_allclose(peer[-1], state[:, :, n], rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("chunk", [1, 16, 64])
def test_ssd_chunked_matches_transformers_reference_chunk_scan(shape, chunk):
    x, dt, A, B, C, D = _case(sum(shape) + 2, *shape)
    h0 = np.random.default_rng(7).standard_normal((shape[1], shape[2], shape[4]))
    y, state = given.ssd_chunked(x, dt, A, B, C, D, h0, chunk_size=chunk)
    out, final = nemotron_h.mamba2_chunk_scan(
        torch.tensor(x)[None], torch.tensor(dt)[None], torch.tensor(A), torch.tensor(B)[None],
        torch.tensor(C)[None], chunk_size=chunk, D=torch.tensor(D), initial_states=torch.tensor(h0)[None],
        return_final_states=True)
    # the reference PyTorch path computes in float32 internally
    np.testing.assert_allclose(out[0].double().numpy(), y, rtol=1e-4, atol=1e-4 * np.abs(y).max())
    np.testing.assert_allclose(final[0].double().numpy(), state, rtol=1e-4, atol=1e-4 * np.abs(state).max())


def test_ssd_recurrent_matches_transformers_decode_step():
    """NemotronH's one-token update (dB = dt * B, groups expanded to neighbouring heads), token by token.

    Its Euler-B input and contiguous groups must match exactly; only the float32 decay differs.
    """
    L, H, P, G, N = 12, 8, 4, 2, 8
    x, dt, A, B, C, D = _case(3, L, H, P, G, N)
    y, final = given.ssd_recurrent(x, dt, A, B, C, D)
    state = torch.zeros(1, H, P, N, dtype=torch.float64)
    for t in range(L):
        out = nemotron_h.mamba2_selective_state_update(
            state, torch.tensor(x[t])[None], torch.tensor(dt[t])[None, :, None].expand(1, H, P),
            torch.tensor(A)[:, None, None].expand(H, P, N), torch.tensor(B[t])[None], torch.tensor(C[t])[None],
            D=torch.tensor(D)[:, None].expand(H, P))
        # the step computes the decay exp(dt A) in float32, hence rtol 1e-6
        np.testing.assert_allclose(out[0].numpy(), y[t], rtol=1e-6, atol=1e-6 * np.abs(y).max())
    np.testing.assert_allclose(state[0].numpy(), final, rtol=1e-6, atol=1e-6 * np.abs(final).max())

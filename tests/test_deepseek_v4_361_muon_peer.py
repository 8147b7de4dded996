"""Problem 361's reference (the chapter's given module) against PyTorch's ``torch.optim.Muon``.

Instructor side only. The conventions differ, and each test says how it bridges them:

* Newton-Schulz: torch runs Keller Jordan's iteration in **bfloat16** (``grad.bfloat16()``), the course in
  float64. bfloat16 keeps 8 significant bits (unit roundoff u = 2**-8 ~ 3.9e-3); five steps of two rounded
  matrix products each leave a relative (Frobenius) error of a few u: measured 1.2 % to 1.8 % on random
  gradients. So everything that goes through torch's Newton-Schulz is compared at 8 u = 2**-5 ~ 3.1 %
  relative (Frobenius), the tolerance bfloat16 allows, not at 1e-5.
* Momentum: torch keeps an EMA ``buf.lerp_(grad, 1 - mu)`` and orthogonalises ``grad.lerp(buf, mu)``; V4 keeps
  ``M = mu M + G`` and orthogonalises ``mu M + G``. From a zero buffer torch's buffer is exactly (1 - mu) M and
  its Newton-Schulz input exactly (1 - mu)(mu M + G): the same direction, which the Frobenius normalisation
  makes the same matrix (up to eps).
* Scale: torch multiplies the learning rate by ``0.2 * sqrt(max(A, B))`` (``adjust_lr_fn="match_rms_adamw"``),
  V4 by ``gamma * sqrt(max(A, B))`` with gamma = 0.18; the comparison passes ``gamma=0.2``.

What does not go through bfloat16 (the weight decay, the learning-rate scale, the momentum buffer, and a
whole step with torch's Newton-Schulz swapped for the same iteration in float64) is checked at 1e-5.
The largest differences are printed (``pytest -s``).
"""
import math

import numpy as np
import pytest
import torch
import torch.optim._muon as torch_muon
from mlpapers.figures import reference

g = reference("deepseek_v4")  # the instructor's given module, loaded by path

KELLER = [g.QUINTIC_COEFFS] * 5
TOL = 1e-5                       # everything computed without bfloat16
BF16_REL = 2.0 ** -5             # 8 u, u = 2**-8: what torch's bfloat16 Newton-Schulz allows (relative, Frobenius)
SHAPES = [(24, 40), (40, 24), (32, 32), (64, 16)]
LARGEST: dict[str, float] = {}


def report(name: str, value: float) -> float:
    LARGEST[name] = max(LARGEST.get(name, 0.0), value)
    print(f"{name}: {value:.2e}")
    return value


def torch_step(W, G, lr=0.02, weight_decay=0.1, momentum=0.95, adjust_lr_fn="match_rms_adamw", steps=1, grads=None):
    """Run torch.optim.Muon (Keller's coefficients, 5 steps, Nesterov) on a float64 parameter; return (W, buffer)."""
    p = torch.nn.Parameter(torch.tensor(W, dtype=torch.float64))
    opt = torch.optim.Muon([p], lr=lr, weight_decay=weight_decay, momentum=momentum, nesterov=True,
                           ns_coefficients=g.QUINTIC_COEFFS, ns_steps=5, eps=1e-7, adjust_lr_fn=adjust_lr_fn)
    for grad in (grads if grads is not None else [G] * steps):
        p.grad = torch.tensor(grad, dtype=torch.float64)
        opt.step()
    return p.detach().numpy().copy(), opt.state[p]["momentum_buffer"].numpy().copy()


def _zeropower_float64(grad, ns_coefficients, ns_steps, eps):
    """torch's _zeropower_via_newtonschulz line by line, without the cast to bfloat16."""
    a, b, c = ns_coefficients
    X = grad.clone()
    if grad.size(0) > grad.size(1):
        X = X.T
    X.div_(X.norm().clamp(min=eps))
    for _ in range(ns_steps):
        gram = X @ X.T
        update = torch.addmm(gram, gram, gram, beta=b, alpha=c)
        X = torch.addmm(X, update, X, beta=a)
    if grad.size(0) > grad.size(1):
        X = X.T
    return X


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_newton_schulz_matches_torch_to_bfloat16_precision(shape):
    rng = np.random.default_rng(sum(shape))
    G = rng.standard_normal(shape)
    ours = g.newton_schulz(G, KELLER)
    theirs = torch_muon._zeropower_via_newtonschulz(torch.tensor(G), g.QUINTIC_COEFFS, 5, 1e-7).double().numpy()
    rel = report(f"newton_schulz {shape} relative (Frobenius)", np.linalg.norm(ours - theirs) / np.linalg.norm(ours))
    report(f"newton_schulz {shape} max abs", float(np.abs(ours - theirs).max()))
    assert rel <= BF16_REL
    # and the same iteration in float64 agrees to rounding: the gap above is bfloat16 alone
    exact = _zeropower_float64(torch.tensor(G), g.QUINTIC_COEFFS, 5, 1e-7).numpy()
    assert report(f"newton_schulz {shape} vs float64 torch code", float(np.abs(ours - exact).max())) <= TOL


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_one_muon_step_matches_torch_to_bfloat16_precision(shape):
    """One torch.optim.Muon step from a zero buffer against muon_step(coeffs=5 x quintic, gamma=0.2)."""
    rng = np.random.default_rng(10 + sum(shape))
    W, G = rng.standard_normal(shape), rng.standard_normal(shape)
    lr, wd = 0.02, 0.1
    W_torch, buf = torch_step(W, G, lr, wd)
    W_ours, M = g.muon_step(W, G, np.zeros(shape), lr, mu=0.95, weight_decay=wd, gamma=0.2, coeffs=KELLER)
    decayed = W * (1 - lr * wd)
    rel = report(f"muon step {shape} update relative (Frobenius)",
                 np.linalg.norm(W_torch - W_ours) / np.linalg.norm(W_ours - decayed))
    report(f"muon step {shape} max |dW|", float(np.abs(W_torch - W_ours).max()))
    assert rel <= BF16_REL
    # the buffer never goes through bfloat16: torch's EMA buffer is exactly (1 - mu) times V4's
    assert report(f"momentum buffer {shape}", float(np.abs(buf - 0.05 * M).max())) <= TOL


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_weight_decay_and_lr_scale_match_torch_exactly(shape):
    """No bfloat16 involved: a zero gradient (pure decoupled weight decay) and torch's own scale formula."""
    rng = np.random.default_rng(20 + sum(shape))
    W = rng.standard_normal(shape)
    lr, wd = 0.05, 0.1
    W_torch, _ = torch_step(W, np.zeros(shape), lr, wd)
    W_ours, _ = g.muon_step(W, np.zeros(shape), np.zeros(shape), lr, weight_decay=wd, gamma=0.2, coeffs=KELLER)
    assert report(f"zero gradient {shape}", float(np.abs(W_torch - W_ours).max())) <= TOL
    np.testing.assert_allclose(W_ours, W * (1 - lr * wd), rtol=0, atol=1e-15)
    # the learning-rate scale: O / newton_schulz(look-ahead) is gamma sqrt(max(A, B)); torch's factor is 0.2 sqrt(max)
    G = rng.standard_normal(shape)
    O, M = g.muon_update(G, np.zeros(shape), 0.95, 0.2, KELLER)
    N = g.newton_schulz(0.95 * M + G, KELLER)
    ours_scale = lr * float(np.median(O / N))
    theirs_scale = torch_muon._adjust_lr(lr, "match_rms_adamw", torch.Size(shape))
    assert report(f"lr scale {shape}", abs(ours_scale - theirs_scale)) <= TOL
    assert np.allclose(O, N * 0.2 * math.sqrt(max(shape)), rtol=1e-15, atol=0)
    # V4's own factor 0.18 sqrt(max) sits between Keller's 'original' sqrt(max(1, A/B)) and Moonshot's 0.2 sqrt(max)
    original = torch_muon._adjust_lr(1.0, "original", torch.Size(shape))
    assert original == pytest.approx(math.sqrt(max(1.0, shape[0] / shape[1])))


@pytest.mark.parametrize("shape", [(24, 40), (40, 24)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_three_steps_agree_at_1e5_without_bfloat16(shape, monkeypatch):
    """torch.optim.Muon with its Newton-Schulz run in float64 equals muon_step over three steps.

    This checks every convention at once (Nesterov look-ahead, EMA vs plain buffer, decoupled weight decay,
    the lr scale) beyond the first step: the (1 - mu) between the two buffers cancels in the normalisation.
    """
    monkeypatch.setattr(torch_muon, "_zeropower_via_newtonschulz", _zeropower_float64)
    rng = np.random.default_rng(30 + sum(shape))
    W = rng.standard_normal(shape)
    grads = [rng.standard_normal(shape) for _ in range(3)]
    W_torch, buf = torch_step(W, None, grads=grads)
    W_ours, M = W, np.zeros(shape)
    for G in grads:
        W_ours, M = g.muon_step(W_ours, G, M, 0.02, mu=0.95, weight_decay=0.1, gamma=0.2, coeffs=KELLER)
    assert report(f"three float64 steps {shape}", float(np.abs(W_torch - W_ours).max())) <= TOL
    assert report(f"three-step buffer {shape}", float(np.abs(buf - 0.05 * M).max())) <= TOL


def test_v4_defaults_differ_from_torch_by_schedule_and_scale():
    """With V4's defaults the step is not torch's: the schedule pins singular values at 1 and gamma is 0.18."""
    rng = np.random.default_rng(40)
    W, G = rng.standard_normal((24, 40)), rng.standard_normal((24, 40))
    W_torch, _ = torch_step(W, G)
    W_v4, _ = g.muon_step(W, G, np.zeros((24, 40)), 0.02)
    W_same, _ = g.muon_step(W, G, np.zeros((24, 40)), 0.02, gamma=0.2, coeffs=KELLER)
    gap_v4 = report("V4 defaults vs torch max |dW|", float(np.abs(W_torch - W_v4).max()))
    gap_same = report("same conventions vs torch max |dW|", float(np.abs(W_torch - W_same).max()))
    assert gap_v4 > 3 * gap_same
    s_v4 = np.linalg.svd(g.newton_schulz(G, g.v4_ns_schedule()), compute_uv=False)
    s_keller = np.linalg.svd(g.newton_schulz(G, KELLER), compute_uv=False)
    assert s_v4.min() >= 1 - 1e-12 and s_v4.max() <= 1.0006
    assert s_keller.min() < 0.9 and s_keller.max() > 1.05

"""The 2-D toy of the DiffusionBlocks capstone (problem 405): data, network, training, metric, memory.

Everything here is plumbing around the student's answers: the training loop takes the loss and the
noise sampler as arguments and the sampler is the student's ``diffusionblocks_sample``, so nothing in
this module computes a graded answer.

* **Data.** A ring of 8 Gaussians (radius 0.7, std 0.07). Each coordinate then has variance
  0.7^2 / 2 + 0.07^2 = 0.2499, so its standard deviation matches EDM's sigma_data = 0.5.
* **Network.** :class:`ToyDenoiser` is the raw network F(c_in x, c_noise) of EDM's preconditioned
  denoiser: an input projection 2 -> 64, ``num_layers`` residual AdaLN-Zero MLP layers (width 64,
  hidden 128; the layer of problem 402, in torch), a final LayerNorm and an output projection 64 -> 2.
  The noise level enters through a sinusoidal embedding of c_noise, a linear map and a SiLU. The
  modulation heads start at zero, so every layer starts as the identity (DiT's adaLN-Zero).
* **Training.** :func:`train_blocks` trains one or several such networks, each on its own range of
  noise levels; at every step one network (one *block*) is picked and only it takes an Adam step.
  End-to-end training is the special case of one block owning the whole range.
* **Metric.** :func:`sliced_wasserstein`: the mean over fixed random directions of the 1-D
  Wasserstein-1 distance between the projected point clouds (equal sizes: sorted differences).
* **Memory.** :func:`saved_activation_elements` counts the elements autograd saves for the backward
  pass while a function runs (``torch.autograd.graph.saved_tensors_hooks``).

Determinism: weights come from a seeded CPU generator and are moved to the device afterwards; every
random draw of training uses an explicit ``torch.Generator`` on the CPU (or a NumPy generator for the
noise levels), so a run is the same on any device up to floating-point differences of its kernels.
"""
from __future__ import annotations

import math
from typing import Callable, Sequence

import numpy as np
import torch
from torch import nn

__all__ = ["ring_data", "ToyDenoiser", "train_blocks", "sliced_wasserstein", "saved_activation_elements"]

RING_RADIUS, RING_STD, RING_MODES = 0.7, 0.07, 8


def ring_data(n: int, generator: torch.Generator) -> torch.Tensor:
    """``n`` points (float32, CPU) of the ring of 8 Gaussians, drawn with ``generator``."""
    modes = torch.randint(RING_MODES, (n,), generator=generator)
    angle = 2 * math.pi * modes.double() / RING_MODES
    centres = RING_RADIUS * torch.stack([angle.cos(), angle.sin()], dim=1)
    return (centres + RING_STD * torch.randn(n, 2, generator=generator, dtype=torch.float64)).float()


class _AdaLNZeroLayer(nn.Module):
    """x + gate * MLP(LN(x) * (1 + scale) + shift), (shift, scale, gate) from the condition; zero-initialised."""

    def __init__(self, width: int, hidden: int, cond_dim: int):
        super().__init__()
        self.width = width
        self.mlp = nn.Sequential(nn.Linear(width, hidden), nn.SiLU(), nn.Linear(hidden, width))
        self.modulation = nn.Linear(cond_dim, 3 * width)
        nn.init.zeros_(self.modulation.weight)
        nn.init.zeros_(self.modulation.bias)

    def forward(self, x: torch.Tensor, cond: torch.Tensor) -> torch.Tensor:
        shift, scale, gate = self.modulation(cond).chunk(3, dim=-1)
        h = nn.functional.layer_norm(x, (self.width,), eps=1e-6) * (1 + scale) + shift
        return x + gate * self.mlp(h)


class ToyDenoiser(nn.Module):
    """The raw network F of a 2-D EDM denoiser: called as ``F(x_in, c_noise)`` with x_in (N, 2), c_noise (N,)."""

    def __init__(self, num_layers: int, width: int = 64, hidden: int = 128, emb_dim: int = 64, seed: int = 0):
        super().__init__()
        self.emb_dim = emb_dim
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            self.inp = nn.Linear(2, width)
            self.cond = nn.Sequential(nn.Linear(emb_dim, emb_dim), nn.SiLU())
            self.layers = nn.ModuleList(_AdaLNZeroLayer(width, hidden, emb_dim) for _ in range(num_layers))
            self.out = nn.Linear(width, 2)
        half = emb_dim // 2
        self.register_buffer("freqs", torch.exp(-math.log(10000.0) * torch.arange(half) / half), persistent=False)

    def forward(self, x_in: torch.Tensor, c_noise: torch.Tensor) -> torch.Tensor:
        args = c_noise.to(x_in.dtype)[:, None] * self.freqs.to(x_in.dtype)[None, :]
        cond = self.cond(torch.cat([args.cos(), args.sin()], dim=1))
        h = self.inp(x_in)
        for layer in self.layers:
            h = layer(h, cond)
        return self.out(nn.functional.layer_norm(h, (h.shape[-1],), eps=1e-6))


def train_blocks(blocks: Sequence[nn.Module], loss_fn: Callable, sample_sigmas: Callable[[int, int, np.random.Generator], np.ndarray],
                 updates_per_block: int, seed: int, batch: int = 512, lr: float = 3e-3,
                 device: str | torch.device = "cpu") -> list[list[float]]:
    """Train every block for ``updates_per_block`` Adam steps, interleaved in a random order; return each block's losses.

    A step picks one block (the order is a seeded shuffle, so each block gets exactly its share and
    every step's block is uniform at random), draws ``batch`` data points and noise on the CPU,
    asks ``sample_sigmas(block, batch, rng)`` for the block's noise levels, and takes one Adam step of
    that block alone on ``loss_fn(block, y, sigma, noise)``; its learning rate decays linearly to 0
    over its own updates. No gradient crosses from one block to another: they share nothing.
    """
    g = torch.Generator().manual_seed(seed)
    rng = np.random.default_rng(seed)
    order = torch.arange(len(blocks)).repeat_interleave(updates_per_block)
    order = order[torch.randperm(order.numel(), generator=g)]
    optims = [torch.optim.Adam(b.parameters(), lr=lr) for b in blocks]
    scheds = [torch.optim.lr_scheduler.LambdaLR(o, lambda t: max(0.0, 1.0 - t / updates_per_block)) for o in optims]
    losses: list[list[float]] = [[] for _ in blocks]
    for k in order.tolist():
        y = ring_data(batch, g).to(device)
        noise = torch.randn(batch, 2, generator=g).to(device)
        sigma = torch.as_tensor(sample_sigmas(k, batch, rng), dtype=torch.float32).to(device)
        loss = loss_fn(blocks[k], y, sigma, noise)
        optims[k].zero_grad(set_to_none=True)
        loss.backward()
        optims[k].step()
        scheds[k].step()
        losses[k].append(float(loss.detach()))
    return losses


def sliced_wasserstein(a: torch.Tensor, b: torch.Tensor, num_directions: int = 128, seed: int = 1234) -> float:
    """Sliced Wasserstein-1 distance between two equal-sized 2-D point clouds, over fixed random directions."""
    if a.shape != b.shape or a.ndim != 2:
        raise ValueError(f"a and b must be equal-shaped (n, d) clouds, got {tuple(a.shape)} and {tuple(b.shape)}")
    d = torch.randn(num_directions, a.shape[1], generator=torch.Generator().manual_seed(seed), dtype=torch.float64)
    d = d / d.norm(dim=1, keepdim=True)
    pa = torch.sort(a.detach().double().cpu() @ d.T, dim=0).values
    pb = torch.sort(b.detach().double().cpu() @ d.T, dim=0).values
    return float((pa - pb).abs().mean())


def saved_activation_elements(fn: Callable[[], object], parameters: Sequence[torch.Tensor] = ()) -> int:
    """Run ``fn()`` and count the elements of the tensors autograd saves for backward meanwhile.

    Tensors that share storage with one of ``parameters`` (a Linear layer saves its weight to
    propagate gradients to its input) are weights, not activations, and are not counted.
    """
    weights = {p.untyped_storage().data_ptr() for p in parameters}
    total = 0

    def pack(t: torch.Tensor):
        nonlocal total
        if t.untyped_storage().data_ptr() not in weights:
            total += t.numel()
        return t

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        fn()
    return total

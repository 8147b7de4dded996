"""A course object for problem 410's tests: a module's forward and backward pass, run where it lives.

Gradients cannot cross the grader's channel (it carries plain data), so a test hands a
:class:`GradientProbe` to the student's ``module.apply``: the pass runs in the student's kernel and
the probe's state, the gradients among it, comes back as plain tensors.
"""
from __future__ import annotations

import torch

__all__ = ["GradientProbe"]


class GradientProbe:
    """Forward and backward of a LatentMoE module, run by ``module.apply(probe)`` where it lives.

    The loss is ``sum(module(x) * cotangent)``. After the call ``grads`` maps every parameter name
    to its gradient (zeros where the backward pass did not reach it), ``output`` holds ``y``,
    ``input_unchanged`` says whether the forward pass left ``x`` as it was, and ``buffers_need_grad``
    lists the buffers that ask for a gradient. Example: ``m.apply(GradientProbe(x, torch.ones(2, 2)))``.
    """

    def __init__(self, x: torch.Tensor, cotangent: torch.Tensor):
        self.x = x
        self.cotangent = cotangent
        self.grads: dict = {}
        self.output = None
        self.input_unchanged = None
        self.buffers_need_grad: list = []

    def __getstate__(self) -> dict:
        return dict(self.__dict__)

    def __call__(self, module) -> None:
        if not hasattr(module, "router_weight"):      # apply() visits the submodules first
            return
        params = dict(module.named_parameters())
        where = next(iter(params.values())).device if params else torch.device("cpu")
        x = self.x.to(where)
        before = x.clone()
        module.zero_grad(set_to_none=True)
        y = module(x)
        (y * self.cotangent.to(device=where, dtype=y.dtype)).sum().backward()
        self.output = y.detach().cpu()
        self.input_unchanged = bool(torch.equal(x, before))
        self.grads = {name: (torch.zeros_like(p) if p.grad is None else p.grad).detach().cpu()
                      for name, p in params.items()}
        self.buffers_need_grad = [name for name, b in module.named_buffers() if b.requires_grad]
        module.zero_grad(set_to_none=True)

"""``SGD``: stochastic gradient descent, with momentum, dampening, Nesterov and weight decay.

Example:
    >>> import ember
    >>> w = ember.nn.Parameter(ember.tensor([1.0, -2.0]))
    >>> opt = ember.optim.SGD([w], lr=0.1, momentum=0.9)
    >>> for _ in range(2):
    ...     opt.zero_grad()
    ...     (w * w).sum().backward()
    ...     opt.step()
    >>> w.detach()
    tensor([ 0.4600, -0.9200])
"""

from __future__ import annotations

import numpy as np

from .optimizer import Optimizer, ParamsT, _effective_grad, _to_scalar, _zeros

__all__ = ["SGD"]


class SGD(Optimizer):
    r"""Stochastic gradient descent (optionally with momentum), PyTorch's formulation.

    .. math::
        g_t = \nabla f(\theta_{t-1}) + \lambda\theta_{t-1};\quad
        b_t = \mu b_{t-1} + (1-\tau) g_t \;(b_1 = g_1);\quad
        \theta_t = \theta_{t-1} - \gamma\,(g_t + \mu b_t \text{ if nesterov else } b_t)

    Args:
        params: parameters to optimize, or dicts defining parameter groups.
        lr: learning rate :math:`\gamma` (default 1e-3).
        momentum: momentum factor :math:`\mu` (default 0).
        dampening: dampening :math:`\tau` for momentum (default 0).
        weight_decay: L2 penalty :math:`\lambda` (default 0).
        nesterov: Nesterov momentum (default False).
        maximize: maximize the objective instead of minimizing (default False).
        foreach, differentiable, fused: accepted for compatibility; the update is the same.

    State per parameter: ``momentum_buffer`` (when ``momentum != 0``, from the first step).
    """

    _n_scratch = 2

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-3,
        momentum: float = 0,
        dampening: float = 0,
        weight_decay: float = 0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "dampening": dampening,
            "weight_decay": weight_decay,
            "nesterov": nesterov,
            "maximize": maximize,
            "foreach": foreach,
            "differentiable": differentiable,
            "fused": fused,
        }
        super().__init__(params, defaults)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("nesterov", False)
            group.setdefault("maximize", False)
            group.setdefault("foreach", None)
            group.setdefault("differentiable", False)
            group.setdefault("fused", False)

    def _state_names(self, group):
        return ("momentum_buffer",) if group["momentum"] != 0 else ()

    def _init_state(self, p, group, state):
        if group["momentum"] != 0:
            state["momentum_buffer"] = _zeros(p)

    def _hyper(self, group):
        return (
            float(_to_scalar(group["lr"])),
            group["momentum"],
            group["dampening"],
            group["weight_decay"],
            group["nesterov"],
            group["maximize"],
        )

    def _scalars(self, h, state, fresh):
        return fresh  # the momentum buffer starts as the first gradient

    def _update(self, h, first, p, g, bufs, scratch):
        lr, momentum, dampening, weight_decay, nesterov, maximize = h
        s0, s1 = scratch
        g = _effective_grad(g, p, weight_decay, maximize, s0)
        if momentum != 0:
            buf = bufs[0]
            if first:
                np.copyto(buf, g)
            else:
                np.multiply(buf, momentum, out=buf)
                if dampening != 0:
                    np.multiply(g, 1 - dampening, out=s1)
                    np.add(buf, s1, out=buf)
                else:
                    np.add(buf, g, out=buf)
            if nesterov:
                np.multiply(buf, momentum, out=s1)
                np.add(g, s1, out=s1)
                g = s1
            else:
                g = buf
        np.multiply(g, lr, out=s1)
        np.subtract(p, s1, out=p)

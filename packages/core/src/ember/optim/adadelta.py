"""``Adadelta``: an adaptive learning-rate method (Zeiler) with running averages of squared
gradients and squared updates.

Example:
    >>> import ember
    >>> w = ember.nn.Parameter(ember.tensor([1.0, -2.0]))
    >>> opt = ember.optim.Adadelta([w])
    >>> (w * w).sum().backward()
    >>> opt.step()
    >>> w.detach()
    tensor([ 0.9968, -1.9968])
"""

from __future__ import annotations

import numpy as np

from .optimizer import (
    Optimizer,
    ParamsT,
    _effective_grad,
    _inc_step,
    _scalar_state,
    _to_scalar,
    _zeros,
)

__all__ = ["Adadelta"]


class Adadelta(Optimizer):
    r"""Adadelta, PyTorch's formulation.

    .. math::
        v_t = \rho v_{t-1} + (1-\rho) g_t^2,\quad
        \Delta_t = \frac{\sqrt{u_{t-1}+\epsilon}}{\sqrt{v_t+\epsilon}} g_t,\quad
        u_t = \rho u_{t-1} + (1-\rho)\Delta_t^2,\quad \theta_t = \theta_{t-1} - \gamma\Delta_t

    Args:
        params: parameters to optimize, or dicts defining parameter groups.
        lr: coefficient that scales delta before it is applied (default 1.0).
        rho: running-average coefficient (default 0.9).
        eps: term added inside the square roots (default 1e-6).
        weight_decay: L2 penalty (default 0).
        maximize: maximize the objective (default False).
        foreach, capturable, differentiable: accepted for compatibility.

    State per parameter: ``step``, ``square_avg``, ``acc_delta``.
    """

    _n_scratch = 3

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1.0,
        rho: float = 0.9,
        eps: float = 1e-6,
        weight_decay: float = 0,
        foreach: bool | None = None,
        *,
        capturable: bool = False,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        if not lr >= 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        if not eps >= 0.0:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not weight_decay >= 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = {
            "lr": lr,
            "rho": rho,
            "eps": eps,
            "weight_decay": weight_decay,
            "maximize": maximize,
            "capturable": capturable,
            "foreach": foreach,
            "differentiable": differentiable,
        }
        super().__init__(params, defaults)

    def _state_names(self, group):
        return ("square_avg", "acc_delta")

    def _init_state(self, p, group, state):
        state.setdefault("step", _scalar_state())
        state.setdefault("square_avg", _zeros(p))
        state.setdefault("acc_delta", _zeros(p))

    def _hyper(self, group):
        return (
            float(_to_scalar(group["lr"])),
            group["rho"],
            group["eps"],
            group["weight_decay"],
            group["maximize"],
        )

    def _scalars(self, h, state, fresh):
        _inc_step(state)

    def _update(self, h, s, p, g, bufs, scratch):
        lr, rho, eps, weight_decay, maximize = h
        s0, s1, s2 = scratch
        g = _effective_grad(g, p, weight_decay, maximize, s0)
        square_avg, acc_delta = bufs
        np.multiply(square_avg, rho, out=square_avg)
        np.multiply(g, 1 - rho, out=s1)
        np.multiply(s1, g, out=s1)
        np.add(square_avg, s1, out=square_avg)
        np.add(square_avg, eps, out=s1)  # std
        np.sqrt(s1, out=s1)
        np.add(acc_delta, eps, out=s2)  # delta = sqrt(acc_delta + eps) / std * g
        np.sqrt(s2, out=s2)
        np.divide(s2, s1, out=s2)
        np.multiply(s2, g, out=s2)
        np.multiply(acc_delta, rho, out=acc_delta)
        np.multiply(s2, 1 - rho, out=s1)
        np.multiply(s1, s2, out=s1)
        np.add(acc_delta, s1, out=acc_delta)
        np.multiply(s2, lr, out=s2)
        np.subtract(p, s2, out=p)

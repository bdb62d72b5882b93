"""``Adamax``: Adam with the infinity norm (Kingma & Ba, section 7).

Example:
    >>> import ember
    >>> w = ember.nn.Parameter(ember.tensor([1.0, -2.0]))
    >>> opt = ember.optim.Adamax([w], lr=0.1)
    >>> (w * w).sum().backward()
    >>> opt.step()
    >>> w.detach()
    tensor([ 0.9000, -1.9000])
"""

from __future__ import annotations

import numpy as np

from .adam import _check_adam_args
from .optimizer import (
    Optimizer,
    ParamsT,
    _effective_grad,
    _inc_step,
    _lerp,
    _scalar_state,
    _to_scalar,
    _zeros,
)

__all__ = ["Adamax"]


class Adamax(Optimizer):
    r"""Adamax, PyTorch's formulation.

    .. math::
        m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t,\quad
        u_t = \max(\beta_2 u_{t-1}, |g_t| + \epsilon),\quad
        \theta_t = \theta_{t-1} - \frac{\gamma}{1-\beta_1^t}\frac{m_t}{u_t}

    Args:
        params: parameters to optimize, or dicts defining parameter groups.
        lr: learning rate (default 2e-3).
        betas: coefficients of the running average and of the infinity norm (default
            (0.9, 0.999)).
        eps: term added to the norm (default 1e-8).
        weight_decay: L2 penalty (default 0).
        maximize: maximize the objective (default False).
        foreach, differentiable, capturable: accepted for compatibility.

    State per parameter: ``step``, ``exp_avg``, ``exp_inf``.
    """

    _n_scratch = 2

    def __init__(
        self,
        params: ParamsT,
        lr: float = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        foreach: bool | None = None,
        *,
        maximize: bool = False,
        differentiable: bool = False,
        capturable: bool = False,
    ) -> None:
        _check_adam_args(lr, betas, eps, weight_decay)
        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
            "capturable": capturable,
        }
        super().__init__(params, defaults)

    def _state_names(self, group):
        return ("exp_avg", "exp_inf")

    def _init_state(self, p, group, state):
        state.setdefault("step", _scalar_state())
        state.setdefault("exp_avg", _zeros(p))
        state.setdefault("exp_inf", _zeros(p))

    def _hyper(self, group):
        beta1, beta2 = group["betas"]
        return (
            float(_to_scalar(group["lr"])),
            float(beta1),
            float(beta2),
            group["eps"],
            group["weight_decay"],
            group["maximize"],
        )

    def _scalars(self, h, state, fresh):
        step = _inc_step(state)
        return h[0] / (1 - h[1] ** step)  # lr / bias_correction

    def _update(self, h, clr, p, g, bufs, scratch):
        _lr, beta1, beta2, eps, weight_decay, maximize = h
        s0, s1 = scratch
        g = _effective_grad(g, p, weight_decay, maximize, s0)
        exp_avg, exp_inf = bufs
        _lerp(exp_avg, g, 1 - beta1, s1)
        np.multiply(exp_inf, beta2, out=exp_inf)
        np.abs(g, out=s1)
        np.add(s1, eps, out=s1)
        np.maximum(exp_inf, s1, out=exp_inf)
        np.multiply(exp_avg, -clr, out=s1)
        np.divide(s1, exp_inf, out=s1)
        np.add(p, s1, out=p)

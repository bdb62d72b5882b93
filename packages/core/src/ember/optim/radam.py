"""``RAdam``: Adam with a rectified adaptive learning rate (Liu et al.).

Example:
    >>> import ember
    >>> w = ember.nn.Parameter(ember.tensor([1.0, -2.0]))
    >>> opt = ember.optim.RAdam([w], lr=0.1)
    >>> (w * w).sum().backward()
    >>> opt.step()
    >>> w.detach()
    tensor([ 0.8000, -1.6000])
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

__all__ = ["RAdam"]


class RAdam(Optimizer):
    r"""RAdam, PyTorch's formulation: while the variance of the adaptive rate is intractable
    (:math:`\rho_t \le 5`) the step is SGD with momentum, :math:`\hat m_t = m_t/(1-\beta_1^t)`;
    afterwards it is :math:`\hat m_t \cdot r_t \sqrt{1-\beta_2^t}/(\sqrt{v_t}+\epsilon)` with the
    rectification term :math:`r_t`.

    Args:
        params: parameters to optimize, or dicts defining parameter groups.
        lr: learning rate (default 1e-3).
        betas: running-average coefficients (default (0.9, 0.999)).
        eps: term added to the denominator (default 1e-8).
        weight_decay: weight decay (default 0).
        decoupled_weight_decay: decay the weights directly, as AdamW (default False).
        maximize: maximize the objective (default False).
        foreach, capturable, differentiable: accepted for compatibility.

    State per parameter: ``step``, ``exp_avg``, ``exp_avg_sq``.
    """

    _n_scratch = 3

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        decoupled_weight_decay: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
    ) -> None:
        _check_adam_args(lr, betas, eps, weight_decay)
        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "maximize": maximize,
            "foreach": foreach,
            "capturable": capturable,
            "decoupled_weight_decay": decoupled_weight_decay,
            "differentiable": differentiable,
        }
        super().__init__(params, defaults)

    def _state_names(self, group):
        return ("exp_avg", "exp_avg_sq")

    def _init_state(self, p, group, state):
        state.setdefault("step", _scalar_state())
        state.setdefault("exp_avg", _zeros(p))
        state.setdefault("exp_avg_sq", _zeros(p))

    def _hyper(self, group):
        beta1, beta2 = group["betas"]
        return (
            float(_to_scalar(group["lr"])),
            float(beta1),
            float(beta2),
            group["eps"],
            group["weight_decay"],
            group["decoupled_weight_decay"],
            group["maximize"],
        )

    def _scalars(self, h, state, fresh):
        beta1, beta2 = h[1], h[2]
        step = _inc_step(state)
        bias_correction1 = 1 - beta1**step
        bias_correction2 = 1 - beta2**step
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 * step * (beta2**step) / bias_correction2
        rect = None
        if rho_t > 5.0:
            rect = (
                (rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)
            ) ** 0.5
        return bias_correction1, bias_correction2**0.5, rect

    def _update(self, h, s, p, g, bufs, scratch):
        lr, beta1, beta2, eps, weight_decay, decoupled, maximize = h
        bias_correction1, bias_correction2_sqrt, rect = s
        s0, s1, s2 = scratch
        if weight_decay and decoupled:
            np.multiply(p, 1 - lr * weight_decay, out=p)
            g = _effective_grad(g, p, 0, maximize, s0)
        else:
            g = _effective_grad(g, p, weight_decay, maximize, s0)
        exp_avg, exp_avg_sq = bufs
        _lerp(exp_avg, g, 1 - beta1, s1)
        np.multiply(exp_avg_sq, beta2, out=exp_avg_sq)
        np.multiply(g, 1 - beta2, out=s1)
        np.multiply(s1, g, out=s1)
        np.add(exp_avg_sq, s1, out=exp_avg_sq)
        np.divide(exp_avg, bias_correction1, out=s1)  # bias-corrected m, times lr
        np.multiply(s1, lr, out=s1)
        if rect is not None:  # times sqrt(bc2) / (sqrt(v) + eps) times rect
            np.sqrt(exp_avg_sq, out=s2)
            np.add(s2, eps, out=s2)
            np.divide(bias_correction2_sqrt, s2, out=s2)
            np.multiply(s1, s2, out=s1)
            np.multiply(s1, rect, out=s1)
        np.subtract(p, s1, out=p)

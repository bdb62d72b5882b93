"""``Adam``: adaptive moment estimation (Kingma & Ba), with AMSGrad and weight decay.

Example:
    >>> import ember
    >>> w = ember.nn.Parameter(ember.tensor([1.0, -2.0]))
    >>> opt = ember.optim.Adam([w], lr=0.1)
    >>> (w * w).sum().backward()
    >>> opt.step()
    >>> w.detach()
    tensor([ 0.9000, -1.9000])
"""

from __future__ import annotations

import numpy as np

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

__all__ = ["Adam"]


def _check_adam_args(lr, betas, eps, weight_decay) -> None:
    if not lr >= 0.0:
        raise ValueError(f"Invalid learning rate: {lr}")
    if not eps >= 0.0:
        raise ValueError(f"Invalid epsilon value: {eps}")
    if not 0.0 <= betas[0] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
    if not 0.0 <= betas[1] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
    if not weight_decay >= 0.0:
        raise ValueError(f"Invalid weight_decay value: {weight_decay}")


class Adam(Optimizer):
    r"""Adam, PyTorch's formulation.

    .. math::
        m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t,\quad v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2,
        \quad \theta_t = \theta_{t-1} - \frac{\gamma}{1-\beta_1^t}\,
        \frac{m_t}{\sqrt{v_t}/\sqrt{1-\beta_2^t} + \epsilon}

    With ``amsgrad`` the running maximum of :math:`v_t` replaces it in the denominator.
    ``weight_decay`` adds :math:`\lambda\theta` to the gradient (L2), or with
    ``decoupled_weight_decay=True`` multiplies :math:`\theta` by :math:`1-\gamma\lambda`
    (AdamW).

    Args:
        params: parameters to optimize, or dicts defining parameter groups.
        lr: learning rate (default 1e-3).
        betas: coefficients of the running averages of the gradient and its square
            (default (0.9, 0.999)).
        eps: term added to the denominator (default 1e-8).
        weight_decay: weight decay coefficient (default 0).
        amsgrad: use the AMSGrad variant (default False).
        maximize: maximize the objective (default False).
        decoupled_weight_decay: decay the weights directly, as AdamW (default False).
        foreach, capturable, differentiable, fused: accepted for compatibility.

    State per parameter: ``step`` (0-d float tensor), ``exp_avg``, ``exp_avg_sq`` and, with
    amsgrad, ``max_exp_avg_sq``.
    """

    _n_scratch = 3

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        amsgrad: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
        decoupled_weight_decay: bool = False,
    ) -> None:
        _check_adam_args(lr, betas, eps, weight_decay)
        defaults = {
            "lr": lr,
            "betas": tuple(_to_scalar(b) for b in betas),
            "eps": eps,
            "weight_decay": weight_decay,
            "amsgrad": amsgrad,
            "maximize": maximize,
            "foreach": foreach,
            "capturable": capturable,
            "differentiable": differentiable,
            "fused": fused,
            "decoupled_weight_decay": decoupled_weight_decay,
        }
        super().__init__(params, defaults)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("amsgrad", False)
            group.setdefault("maximize", False)
            group.setdefault("foreach", None)
            group.setdefault("capturable", False)
            group.setdefault("differentiable", False)
            group.setdefault("fused", None)
            group.setdefault("decoupled_weight_decay", False)

    def _state_names(self, group):
        if group["amsgrad"]:
            return ("exp_avg", "exp_avg_sq", "max_exp_avg_sq")
        return ("exp_avg", "exp_avg_sq")

    def _init_state(self, p, group, state):
        state.setdefault("step", _scalar_state())
        state.setdefault("exp_avg", _zeros(p))
        state.setdefault("exp_avg_sq", _zeros(p))
        if group["amsgrad"]:
            state.setdefault("max_exp_avg_sq", _zeros(p))

    def _hyper(self, group):
        beta1, beta2 = group["betas"]
        return (
            float(_to_scalar(group["lr"])),
            float(beta1),
            float(beta2),
            group["eps"],
            group["weight_decay"],
            group["amsgrad"],
            group["maximize"],
            group["decoupled_weight_decay"],
        )

    def _scalars(self, h, state, fresh):
        lr, beta1, beta2 = h[0], h[1], h[2]
        step = _inc_step(state)
        step_size = lr / (1 - beta1**step)
        bias_correction2_sqrt = (1 - beta2**step) ** 0.5
        return step_size, bias_correction2_sqrt

    def _update(self, h, s, p, g, bufs, scratch):
        lr, beta1, beta2, eps, weight_decay, amsgrad, maximize, decoupled = h
        step_size, bias_correction2_sqrt = s
        s0, s1, s2 = scratch
        if weight_decay and decoupled:
            np.multiply(p, 1 - lr * weight_decay, out=p)
            g = _effective_grad(g, p, 0, maximize, s0)
        else:
            g = _effective_grad(g, p, weight_decay, maximize, s0)
        exp_avg, exp_avg_sq = bufs[0], bufs[1]
        _lerp(exp_avg, g, 1 - beta1, s1)
        np.multiply(exp_avg_sq, beta2, out=exp_avg_sq)  # v = beta2 v + (1 - beta2) g g
        np.multiply(g, 1 - beta2, out=s1)
        np.multiply(s1, g, out=s1)
        np.add(exp_avg_sq, s1, out=exp_avg_sq)
        if amsgrad:
            np.maximum(bufs[2], exp_avg_sq, out=bufs[2])
            exp_avg_sq = bufs[2]
        np.sqrt(exp_avg_sq, out=s1)  # denom = sqrt(v) / sqrt(bc2) + eps
        np.divide(s1, bias_correction2_sqrt, out=s1)
        np.add(s1, eps, out=s1)
        np.multiply(exp_avg, -step_size, out=s2)  # p += -step_size * m / denom
        np.divide(s2, s1, out=s2)
        np.add(p, s2, out=p)

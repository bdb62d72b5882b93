"""``NAdam``: Adam with Nesterov momentum (Dozat), with momentum decay.

Example:
    >>> import ember
    >>> w = ember.nn.Parameter(ember.tensor([1.0, -2.0]))
    >>> opt = ember.optim.NAdam([w], lr=0.1)
    >>> (w * w).sum().backward()
    >>> opt.step()
    >>> w.detach()
    tensor([ 0.8944, -1.8944])
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

__all__ = ["NAdam"]


class NAdam(Optimizer):
    r"""NAdam, PyTorch's formulation.

    .. math::
        \mu_t = \beta_1\bigl(1 - \tfrac12\,0.96^{t\psi}\bigr),\quad
        \theta_t = \theta_{t-1} - \gamma\frac{\mu_{t+1} m_t}{1-\prod_{i\le t+1}\mu_i}
            \big/ d_t - \gamma\frac{(1-\mu_t) g_t}{1-\prod_{i\le t}\mu_i} \big/ d_t,\quad
        d_t = \sqrt{v_t/(1-\beta_2^t)} + \epsilon

    Args:
        params: parameters to optimize, or dicts defining parameter groups.
        lr: learning rate (default 2e-3).
        betas: running-average coefficients (default (0.9, 0.999)).
        eps: term added to the denominator (default 1e-8).
        weight_decay: weight decay (default 0).
        momentum_decay: :math:`\psi` (default 4e-3).
        decoupled_weight_decay: decay the weights directly, as AdamW (default False).
        maximize: maximize the objective (default False).
        foreach, capturable, differentiable: accepted for compatibility.

    State per parameter: ``step``, ``mu_product`` (0-d tensors), ``exp_avg``, ``exp_avg_sq``.
    """

    _n_scratch = 3

    def __init__(
        self,
        params: ParamsT,
        lr: float = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum_decay: float = 4e-3,
        decoupled_weight_decay: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
    ) -> None:
        _check_adam_args(lr, betas, eps, weight_decay)
        if not momentum_decay >= 0.0:
            raise ValueError(f"Invalid momentum_decay value: {momentum_decay}")
        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "momentum_decay": momentum_decay,
            "decoupled_weight_decay": decoupled_weight_decay,
            "maximize": maximize,
            "foreach": foreach,
            "capturable": capturable,
            "differentiable": differentiable,
        }
        super().__init__(params, defaults)

    def _state_names(self, group):
        return ("exp_avg", "exp_avg_sq")

    def _init_state(self, p, group, state):
        state.setdefault("step", _scalar_state())
        state.setdefault("mu_product", _scalar_state(1.0))
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
            group["momentum_decay"],
            group["decoupled_weight_decay"],
            group["maximize"],
        )

    def _scalars(self, h, state, fresh):
        lr, beta1, beta2, momentum_decay = h[0], h[1], h[2], h[5]
        step = _inc_step(state)
        bias_correction2 = 1 - beta2**step
        mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * momentum_decay)))
        mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * momentum_decay)))
        mu_product = state["mu_product"]._data
        mu_product *= mu  # kept in the state's precision, as PyTorch does
        mu_product = float(mu_product)
        grad_coef = -lr * (1.0 - mu) / (1.0 - mu_product)
        avg_coef = (-lr * mu_next) / (1.0 - mu_product * mu_next)
        return bias_correction2, grad_coef, avg_coef

    def _update(self, h, s, p, g, bufs, scratch):
        lr, beta1, beta2, eps, weight_decay, _, decoupled, maximize = h
        bias_correction2, grad_coef, avg_coef = s
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
        np.divide(exp_avg_sq, bias_correction2, out=s1)  # denom = sqrt(v / bc2) + eps
        np.sqrt(s1, out=s1)
        np.add(s1, eps, out=s1)
        np.multiply(g, grad_coef, out=s2)
        np.divide(s2, s1, out=s2)
        np.add(p, s2, out=p)
        np.multiply(exp_avg, avg_coef, out=s2)
        np.divide(s2, s1, out=s2)
        np.add(p, s2, out=p)

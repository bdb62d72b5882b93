"""``Adagrad``: per-coordinate learning rates from the sum of squared gradients (Duchi et al.).

Example:
    >>> import ember
    >>> w = ember.nn.Parameter(ember.tensor([1.0, -2.0]))
    >>> opt = ember.optim.Adagrad([w], lr=0.1)
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
    _full,
    _inc_step,
    _scalar_state,
    _to_scalar,
)

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    r"""Adagrad, PyTorch's formulation.

    .. math::
        \tilde\gamma = \frac{\gamma}{1 + (t-1)\eta},\quad s_t = s_{t-1} + g_t^2,\quad
        \theta_t = \theta_{t-1} - \tilde\gamma\, g_t/(\sqrt{s_t} + \epsilon)

    Args:
        params: parameters to optimize, or dicts defining parameter groups.
        lr: learning rate (default 1e-2).
        lr_decay: learning-rate decay :math:`\eta` (default 0).
        weight_decay: L2 penalty (default 0).
        initial_accumulator_value: starting value of the sums (default 0).
        eps: term added to the denominator (default 1e-10).
        maximize: maximize the objective (default False).
        foreach, differentiable, fused: accepted for compatibility.

    State per parameter (created at construction, as PyTorch does): ``step``, ``sum``.
    """

    _n_scratch = 3

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-2,
        lr_decay: float = 0,
        weight_decay: float = 0,
        initial_accumulator_value: float = 0,
        eps: float = 1e-10,
        foreach: bool | None = None,
        *,
        maximize: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        if not lr >= 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not lr_decay >= 0.0:
            raise ValueError(f"Invalid lr_decay value: {lr_decay}")
        if not weight_decay >= 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not initial_accumulator_value >= 0.0:
            raise ValueError(
                f"Invalid initial_accumulator_value value: {initial_accumulator_value}"
            )
        if not eps >= 0.0:
            raise ValueError(f"Invalid epsilon value: {eps}")
        defaults = {
            "lr": lr,
            "lr_decay": lr_decay,
            "eps": eps,
            "weight_decay": weight_decay,
            "initial_accumulator_value": initial_accumulator_value,
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
            "fused": fused,
        }
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                self._init_state(p, group, self.state[p])

    def _state_names(self, group):
        return ("sum",)

    def _init_state(self, p, group, state):
        state.setdefault("step", _scalar_state())
        value = self.defaults["initial_accumulator_value"]
        if p.is_complex():
            value = complex(value, value)
        state.setdefault("sum", _full(p, value))

    def _hyper(self, group):
        return (
            float(_to_scalar(group["lr"])),
            group["lr_decay"],
            group["weight_decay"],
            group["eps"],
            group["maximize"],
        )

    def _scalars(self, h, state, fresh):
        step = _inc_step(state)
        return h[0] / (1 + (step - 1) * h[1])  # the decayed learning rate

    def _update(self, h, clr, p, g, bufs, scratch):
        _lr, _lr_decay, weight_decay, eps, maximize = h
        s0, s1, s2 = scratch
        g = _effective_grad(g, p, weight_decay, maximize, s0)
        state_sum = bufs[0]
        np.multiply(g, g, out=s1)
        np.add(state_sum, s1, out=state_sum)
        np.sqrt(state_sum, out=s1)
        np.add(s1, eps, out=s1)
        np.multiply(g, -clr, out=s2)
        np.divide(s2, s1, out=s2)
        np.add(p, s2, out=p)

"""``ASGD``: averaged stochastic gradient descent (Polyak & Juditsky).

Example:
    >>> import ember
    >>> w = ember.nn.Parameter(ember.tensor([1.0, -2.0]))
    >>> opt = ember.optim.ASGD([w], lr=0.1)
    >>> (w * w).sum().backward()
    >>> opt.step()
    >>> w.detach()
    tensor([ 0.8000, -1.6000])
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

__all__ = ["ASGD"]


class ASGD(Optimizer):
    r"""ASGD, PyTorch's formulation.

    .. math::
        \theta_t = (1 - \lambda\eta_t)\theta_{t-1} - \eta_t g_t,\quad
        \bar\theta_t = \bar\theta_{t-1} + \mu_t(\theta_t - \bar\theta_{t-1}),\quad
        \eta_{t+1} = \frac{\gamma}{(1 + \lambda\gamma t)^\alpha},\quad
        \mu_{t+1} = \frac{1}{\max(1, t - t_0)}

    Args:
        params: parameters to optimize, or dicts defining parameter groups.
        lr: learning rate (default 1e-2).
        lambd: decay term (default 1e-4).
        alpha: power for the eta update (default 0.75).
        t0: step at which averaging starts (default 1e6).
        weight_decay: L2 penalty (default 0).
        maximize: maximize the objective (default False).
        foreach, differentiable, capturable: accepted for compatibility.

    State per parameter: ``step``, ``eta``, ``mu`` (0-d tensors) and ``ax`` (the average).
    """

    _n_scratch = 2

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-2,
        lambd: float = 1e-4,
        alpha: float = 0.75,
        t0: float = 1e6,
        weight_decay: float = 0,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
        capturable: bool = False,
    ) -> None:
        if not lr >= 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not weight_decay >= 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = {
            "lr": lr,
            "lambd": lambd,
            "alpha": alpha,
            "t0": t0,
            "weight_decay": weight_decay,
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
            "capturable": capturable,
        }
        super().__init__(params, defaults)

    def _state_names(self, group):
        return ("ax",)

    def _init_state(self, p, group, state):
        state.setdefault("step", _scalar_state())
        state.setdefault("eta", _scalar_state(_to_scalar(group["lr"])))
        state.setdefault("mu", _scalar_state(1.0))
        state.setdefault("ax", _zeros(p))

    def _hyper(self, group):
        return (
            float(_to_scalar(group["lr"])),
            group["lambd"],
            group["alpha"],
            group["t0"],
            group["weight_decay"],
            group["maximize"],
        )

    def _scalars(self, h, state, fresh):
        lr, lambd, alpha, t0 = h[0], h[1], h[2], h[3]
        step = _inc_step(state)
        eta, mu = state["eta"]._data, state["mu"]._data
        current = float(eta), float(mu)
        eta[...] = lr / ((1 + lambd * lr * step) ** alpha)  # for the next step
        mu[...] = 1 / max(1, step - t0)
        return current

    def _update(self, h, s, p, g, bufs, scratch):
        _lr, lambd, _alpha, _t0, weight_decay, maximize = h
        eta, mu = s
        s0, s1 = scratch
        g = _effective_grad(g, p, weight_decay, maximize, s0)
        np.multiply(p, 1 - lambd * eta, out=p)
        np.multiply(g, eta, out=s1)
        np.subtract(p, s1, out=p)
        ax = bufs[0]
        if mu != 1:
            np.subtract(p, ax, out=s1)
            np.multiply(s1, mu, out=s1)
            np.add(ax, s1, out=ax)
        else:
            np.copyto(ax, p)

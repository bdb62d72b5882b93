"""``RMSprop``: divide the gradient by a running root mean square (Hinton), optionally centered
and with momentum.

Example:
    >>> import ember
    >>> w = ember.nn.Parameter(ember.tensor([1.0, -2.0]))
    >>> opt = ember.optim.RMSprop([w], lr=0.01)
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

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    r"""RMSprop, PyTorch's formulation.

    .. math::
        v_t = \alpha v_{t-1} + (1-\alpha) g_t^2,\quad
        \tilde v_t = v_t - \bar g_t^2 \text{ if centered},\quad
        \theta_t = \theta_{t-1} - \gamma\, g_t / (\sqrt{\tilde v_t} + \epsilon)

    With momentum: :math:`b_t = \mu b_{t-1} + g_t/(\sqrt{\tilde v_t}+\epsilon)`,
    :math:`\theta_t = \theta_{t-1} - \gamma b_t`.

    Args:
        params: parameters to optimize, or dicts defining parameter groups.
        lr: learning rate (default 1e-2).
        alpha: smoothing constant (default 0.99).
        eps: term added to the denominator (default 1e-8).
        weight_decay: L2 penalty (default 0).
        momentum: momentum factor (default 0).
        centered: normalise by the estimated variance of the gradient (default False).
        maximize: maximize the objective (default False).
        capturable, foreach, differentiable: accepted for compatibility.

    State per parameter: ``step``, ``square_avg``, ``momentum_buffer`` (with momentum) and
    ``grad_avg`` (when centered).
    """

    _n_scratch = 3

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum: float = 0,
        centered: bool = False,
        capturable: bool = False,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        if not lr >= 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not eps >= 0.0:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not momentum >= 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if not weight_decay >= 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not alpha >= 0.0:
            raise ValueError(f"Invalid alpha value: {alpha}")
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "alpha": alpha,
            "eps": eps,
            "centered": centered,
            "weight_decay": weight_decay,
            "capturable": capturable,
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
        }
        super().__init__(params, defaults)

    def _state_names(self, group):
        names = ("square_avg",)
        if group["momentum"] > 0:
            names += ("momentum_buffer",)
        if group["centered"]:
            names += ("grad_avg",)
        return names

    def _init_state(self, p, group, state):
        state.setdefault("step", _scalar_state())
        state.setdefault("square_avg", _zeros(p))
        if group["momentum"] > 0:
            state.setdefault("momentum_buffer", _zeros(p))
        if group["centered"]:
            state.setdefault("grad_avg", _zeros(p))

    def _hyper(self, group):
        return (
            float(_to_scalar(group["lr"])),
            group["alpha"],
            group["eps"],
            group["weight_decay"],
            group["momentum"],
            group["centered"],
            group["maximize"],
        )

    def _scalars(self, h, state, fresh):
        _inc_step(state)

    def _update(self, h, s, p, g, bufs, scratch):
        lr, alpha, eps, weight_decay, momentum, centered, maximize = h
        s0, s1, s2 = scratch
        g = _effective_grad(g, p, weight_decay, maximize, s0)
        square_avg = bufs[0]
        np.multiply(square_avg, alpha, out=square_avg)
        np.multiply(g, 1 - alpha, out=s1)
        np.multiply(s1, g, out=s1)
        np.add(square_avg, s1, out=square_avg)
        if centered:
            grad_avg = bufs[-1]
            _lerp(grad_avg, g, 1 - alpha, s1)
            np.multiply(grad_avg, grad_avg, out=s1)
            np.subtract(square_avg, s1, out=s1)
            np.sqrt(s1, out=s1)
        else:
            np.sqrt(square_avg, out=s1)
        np.add(s1, eps, out=s1)  # avg
        if momentum > 0:
            buf = bufs[1]
            np.multiply(buf, momentum, out=buf)
            np.divide(g, s1, out=s2)
            np.add(buf, s2, out=buf)
            np.multiply(buf, lr, out=s2)
            np.subtract(p, s2, out=p)
        else:
            np.multiply(g, -lr, out=s2)
            np.divide(s2, s1, out=s2)
            np.add(p, s2, out=p)

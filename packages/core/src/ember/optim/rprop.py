"""``Rprop``: resilient backpropagation (Riedmiller & Braun), sign-based per-weight steps.

Example:
    >>> import ember
    >>> w = ember.nn.Parameter(ember.tensor([1.0, -2.0]))
    >>> opt = ember.optim.Rprop([w], lr=0.1)
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
    _zeros,
)

__all__ = ["Rprop"]


class Rprop(Optimizer):
    r"""Rprop, PyTorch's formulation: each weight's step size grows by :math:`\eta_+` while its
    gradient keeps its sign and shrinks by :math:`\eta_-` when the sign flips (that step's
    gradient is then treated as zero); the weight moves by its step size against the sign of
    the gradient.

    Args:
        params: parameters to optimize, or dicts defining parameter groups.
        lr: initial step size (default 1e-2).
        etas: :math:`(\eta_-, \eta_+)` (default (0.5, 1.2)).
        step_sizes: minimal and maximal step size (default (1e-6, 50)).
        maximize: maximize the objective (default False).
        capturable, foreach, differentiable: accepted for compatibility.

    State per parameter: ``step``, ``prev`` (previous gradient), ``step_size``.
    """

    _n_scratch = 3

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-2,
        etas: tuple[float, float] = (0.5, 1.2),
        step_sizes: tuple[float, float] = (1e-6, 50),
        *,
        capturable: bool = False,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        if not lr >= 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        defaults = {
            "lr": lr,
            "etas": etas,
            "step_sizes": step_sizes,
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
            "capturable": capturable,
        }
        super().__init__(params, defaults)

    def _state_names(self, group):
        return ("prev", "step_size")

    def _init_state(self, p, group, state):
        state.setdefault("step", _scalar_state())
        state.setdefault("prev", _zeros(p))
        lr = _to_scalar(group["lr"])
        state.setdefault("step_size", _full(p, complex(lr, lr) if p.is_complex() else lr))

    def _hyper(self, group):
        etaminus, etaplus = group["etas"]
        step_size_min, step_size_max = group["step_sizes"]
        return etaminus, etaplus, step_size_min, step_size_max, group["maximize"]

    def _scalars(self, h, state, fresh):
        _inc_step(state)

    def _update(self, h, s, p, g, bufs, scratch):
        etaminus, etaplus, step_size_min, step_size_max, maximize = h
        s0, s1, s2 = scratch
        g = _effective_grad(g, p, 0, maximize, s0)
        prev, step_size = bufs
        np.multiply(g, prev, out=s1)
        increase = s1 > 0
        decrease = s1 < 0
        s1.fill(1)
        np.copyto(s1, etaplus, where=increase)
        np.copyto(s1, etaminus, where=decrease)
        np.multiply(step_size, s1, out=step_size)
        np.clip(step_size, step_size_min, step_size_max, out=step_size)
        np.copyto(s2, g)  # the gradient, zeroed where its sign flipped
        np.copyto(s2, 0, where=decrease)
        np.sign(s2, out=s1)
        np.multiply(s1, step_size, out=s1)
        np.subtract(p, s1, out=p)
        np.copyto(prev, s2)

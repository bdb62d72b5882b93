"""``SparseAdam``: a lazy Adam for gradients that touch few rows (embedding tables).

Ember has no sparse tensors, so a gradient's "present" entries are the rows (slices along
dim 0) with a nonzero value; only those rows of the moments and the parameter are updated,
as PyTorch's SparseAdam does for the indices of a sparse gradient.

Example:
    >>> import ember
    >>> table = ember.nn.Parameter(ember.ones(3, 2))
    >>> opt = ember.optim.SparseAdam([table], lr=0.1)
    >>> table[1].sum().backward()
    >>> opt.step()
    >>> table.detach()
    tensor([[1.0000, 1.0000],
            [0.9000, 0.9000],
            [1.0000, 1.0000]])
"""

from __future__ import annotations

import math

from ..backends import array_module_of
from .optimizer import Optimizer, ParamsT, _to_scalar, _zeros

__all__ = ["SparseAdam"]


class SparseAdam(Optimizer):
    r"""SparseAdam, PyTorch's formulation, applied to the rows a gradient touches:

    .. math::
        m \mathrel{+}= (1-\beta_1)(g - m),\quad v \mathrel{+}= (1-\beta_2)(g^2 - v),\quad
        \theta \mathrel{-}= \gamma\frac{\sqrt{1-\beta_2^t}}{1-\beta_1^t}\frac{m}{\sqrt v+\epsilon}

    Args:
        params: parameters to optimize, or dicts defining parameter groups.
        lr: learning rate (default 1e-3).
        betas: running-average coefficients (default (0.9, 0.999)).
        eps: term added to the denominator (default 1e-8).
        maximize: maximize the objective (default False).

    State per parameter: ``step`` (an int, as in PyTorch), ``exp_avg``, ``exp_avg_sq``.
    """

    _elementwise = False

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        maximize: bool = False,
    ) -> None:
        if not lr > 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not eps > 0.0:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= betas[0] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
        if not 0.0 <= betas[1] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
        defaults = {"lr": lr, "betas": betas, "eps": eps, "maximize": maximize}
        super().__init__(params, defaults)
        complex_params = [
            [i, j]
            for i, group in enumerate(self.param_groups)
            for j, p in enumerate(group["params"])
            if p.is_complex()
        ]
        if complex_params:
            raise ValueError(
                f"Complex params at indices {complex_params}: SparseAdam does not support "
                "complex parameters"
            )

    def _state_names(self, group):
        return ("exp_avg", "exp_avg_sq")

    def _init_state(self, p, group, state):
        state.setdefault("step", 0)
        state.setdefault("exp_avg", _zeros(p))
        state.setdefault("exp_avg_sq", _zeros(p))

    def _hyper(self, group):
        beta1, beta2 = group["betas"]
        return (
            float(_to_scalar(group["lr"])),
            beta1,
            beta2,
            group["eps"],
            group.get("maximize", False),
        )

    def _scalars(self, h, state, fresh):
        state["step"] += 1
        return state["step"]

    def _update(self, h, step, p, g, bufs, scratch):
        lr, beta1, beta2, eps, maximize = h
        exp_avg, exp_avg_sq = bufs
        xp = array_module_of(p)
        if p.ndim == 0:
            rows = () if g != 0 else None
        else:
            present = xp.flatnonzero(xp.any(g.reshape(g.shape[0], -1) != 0, axis=1))
            rows = (present,) if present.size else None
        if rows is None:  # nothing to update (PyTorch skips empty sparse gradients)
            return
        values = g[rows]
        if maximize:
            values = -values
        old_exp_avg = exp_avg[rows]
        exp_avg_update = (values - old_exp_avg) * (1 - beta1)
        exp_avg[rows] = old_exp_avg + exp_avg_update
        old_exp_avg_sq = exp_avg_sq[rows]
        exp_avg_sq_update = (values * values - old_exp_avg_sq) * (1 - beta2)
        exp_avg_sq[rows] = old_exp_avg_sq + exp_avg_sq_update
        numer = exp_avg_update + old_exp_avg
        denom = xp.sqrt(exp_avg_sq_update + old_exp_avg_sq) + eps
        step_size = lr * math.sqrt(1 - beta2**step) / (1 - beta1**step)
        p[rows] += -step_size * (numer / denom)

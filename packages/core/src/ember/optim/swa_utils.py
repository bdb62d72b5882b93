"""Weight averaging: ``AveragedModel`` (SWA and EMA), ``SWALR`` and ``update_bn``.

Example:
    >>> import ember
    >>> from ember import nn
    >>> from ember.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn
    >>> model = nn.Linear(2, 1)
    >>> ema = AveragedModel(model, multi_avg_fn=get_ema_multi_avg_fn(0.9))
    >>> with ember.no_grad():
    ...     _ = model.weight.fill_(1.0)
    >>> ema.update_parameters(model)  # the first update copies
    >>> with ember.no_grad():
    ...     _ = model.weight.fill_(2.0)
    >>> ema.update_parameters(model)
    >>> ema.module.weight.detach()
    tensor([[1.1000, 1.1000]])
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Callable, Iterable
from copy import deepcopy
from typing import Any

from .. import _creation as C
from .. import _dtype as D
from .._tensor import Tensor
from ..autograd.grad_mode import no_grad
from ..backends import array_module_of
from ..nn.modules.module import Module
from ..ops.inplace import bump_version
from .lr_scheduler import LRScheduler, _format_param

__all__ = [
    "AveragedModel",
    "update_bn",
    "SWALR",
    "get_ema_multi_avg_fn",
    "get_swa_multi_avg_fn",
    "get_ema_avg_fn",
    "get_swa_avg_fn",
]


def _lerp_(avg: Tensor, new: Tensor, weight: float) -> None:
    """``avg.lerp_(new, weight)`` on the arrays (floating tensors), in place."""
    a, b = avg._data, new._data
    if abs(weight) < 0.5:
        a += weight * (b - a)
    else:
        a[...] = b - (b - a) * (1.0 - weight)
    bump_version(avg)


def _assign(avg: Tensor, value) -> None:
    """Write ``value`` (an array) into ``avg``, casting as ``copy_`` does (floats truncate into
    integer buffers)."""
    array_module_of(avg._data).copyto(avg._data, value, casting="unsafe")
    bump_version(avg)


def get_ema_multi_avg_fn(decay: float = 0.999) -> Callable:
    """An exponential-moving-average update for ``AveragedModel(multi_avg_fn=...)``:
    ``ema = decay * ema + (1 - decay) * current``, in place on all parameters at once."""
    if decay < 0.0 or decay > 1.0:
        raise ValueError(
            f"Invalid decay value {decay} provided. Please provide a value in [0,1] range."
        )

    def ema_update(ema_param_list, current_param_list, _num_averaged) -> None:
        for p_ema, p_model in zip(ema_param_list, current_param_list):
            if p_ema.is_floating_point() or p_ema.is_complex():
                _lerp_(p_ema, p_model, 1 - decay)
            else:
                _assign(p_ema, p_ema._data * decay + p_model._data * (1 - decay))

    return ema_update


def get_swa_multi_avg_fn() -> Callable:
    """The running-mean update ``avg += (current - avg) / (n + 1)`` for
    ``AveragedModel(multi_avg_fn=...)`` (AveragedModel's default)."""

    def swa_update(averaged_param_list, current_param_list, num_averaged) -> None:
        n = float(num_averaged)
        for p_avg, p_model in zip(averaged_param_list, current_param_list):
            if p_avg.is_floating_point() or p_avg.is_complex():
                _lerp_(p_avg, p_model, 1 / (n + 1))
            else:
                _assign(p_avg, p_avg._data + (p_model._data - p_avg._data) / (n + 1))

    return swa_update


def get_ema_avg_fn(decay: float = 0.999) -> Callable:
    """An EMA ``avg_fn(ema_param, current_param, num_averaged)`` returning the new average."""
    if decay < 0.0 or decay > 1.0:
        raise ValueError(
            f"Invalid decay value {decay} provided. Please provide a value in [0,1] range."
        )

    @no_grad()
    def ema_update(ema_param: Tensor, current_param: Tensor, num_averaged):
        return decay * ema_param + (1 - decay) * current_param

    return ema_update


def get_swa_avg_fn() -> Callable:
    """The running-mean ``avg_fn(averaged_param, current_param, num_averaged)``."""

    @no_grad()
    def swa_update(averaged_param: Tensor, current_param: Tensor, num_averaged):
        return averaged_param + (current_param - averaged_param) / (num_averaged + 1)

    return swa_update


class AveragedModel(Module):
    r"""A copy of a model whose parameters are a running average of the model's (SWA,
    Izmailov et al.) or an exponential moving average (EMA).

    ``update_parameters(model)`` folds the model's current parameters in; the first call
    copies them. ``n_averaged`` (a long buffer) counts the updates.

    Args:
        model: the model to average (deep-copied).
        device: put the copy on this device.
        avg_fn: ``avg_fn(averaged, current, n_averaged) -> new averaged`` per parameter.
        multi_avg_fn: ``multi_avg_fn(averaged_list, current_list, n_averaged)`` updating
            the lists in place (e.g. ``get_ema_multi_avg_fn(0.999)``).
        use_buffers: average the buffers too (default False: buffers are copied).
    """

    def __init__(
        self,
        model,
        device=None,
        avg_fn: Callable | None = None,
        multi_avg_fn: Callable | None = None,
        use_buffers: bool = False,
    ) -> None:
        super().__init__()
        if avg_fn is not None and multi_avg_fn is not None:
            raise ValueError("Only one of avg_fn and multi_avg_fn should be provided")
        self.module = deepcopy(model)
        if device is not None:
            self.module = self.module.to(device)

        self.register_buffer("n_averaged", C.tensor(0, dtype=D.int64, device=device))
        self.avg_fn = avg_fn
        self.multi_avg_fn = multi_avg_fn
        self.use_buffers = use_buffers

    def forward(self, *args, **kwargs):
        return self.module(*args, **kwargs)

    def update_parameters(self, model) -> None:
        """Fold ``model``'s current parameters (and buffers with ``use_buffers``) into the
        average."""
        if self.use_buffers:
            self_params = itertools.chain(self.module.parameters(), self.module.buffers())
            model_params = itertools.chain(model.parameters(), model.buffers())
        else:
            self_params, model_params = self.parameters(), model.parameters()
        averaged, current = [], []
        first = int(self.n_averaged.item()) == 0
        for p_avg, p_model in zip(self_params, model_params):
            p_model_ = p_model.detach()
            if p_model_.device != p_avg.device:
                p_model_ = p_model_.to(p_avg.device)
            averaged.append(p_avg.detach())
            current.append(p_model_)
            if first:
                _assign(p_avg, p_model_._data)
        if not first:
            n_averaged = self.n_averaged
            if self.avg_fn is None:
                (self.multi_avg_fn or get_swa_multi_avg_fn())(averaged, current, n_averaged)
            else:
                for p_avg, p_model in zip(averaged, current):
                    with no_grad():
                        new = self.avg_fn(p_avg, p_model, n_averaged)
                    _assign(p_avg, new._data if isinstance(new, Tensor) else new)
        if not self.use_buffers:  # keep the buffers in sync with the model's
            for b_swa, b_model in zip(self.module.buffers(), model.buffers()):
                _assign(b_swa, b_model.detach().to(b_swa.device)._data)
        self.n_averaged._data += 1
        bump_version(self.n_averaged)


def update_bn(loader: Iterable[Any], model, device=None) -> None:
    """Recompute the BatchNorm running statistics of ``model`` with one pass over ``loader``
    (needed after averaging weights): the statistics are reset and accumulated as a
    cumulative average (``momentum=None``) in training mode; the modules' momentum and the
    model's mode are restored afterwards.

    Args:
        loader: an iterable of input batches (or of tuples/lists whose first item is the input).
        model: the model.
        device: move each input to this device first.
    """
    from ..nn.modules.normalization import _BatchNorm

    momenta = {}
    for module in model.modules():
        if isinstance(module, _BatchNorm):
            module.reset_running_stats()
            momenta[module] = module.momentum
    if not momenta:
        return
    was_training = model.training
    model.train()
    for module in momenta:
        module.momentum = None
    with no_grad():
        for input in loader:
            if isinstance(input, (list, tuple)):
                input = input[0]
            if device is not None:
                input = input.to(device)
            model(input)
    for module, momentum in momenta.items():
        module.momentum = momentum
    model.train(was_training)


class SWALR(LRScheduler):
    """Anneal each group's rate to a fixed ``swa_lr`` over ``anneal_epochs`` epochs (cosine or
    linear), then hold it: the schedule used during stochastic weight averaging.

    Args:
        optimizer: the wrapped optimizer.
        swa_lr: the target rate, one value or one per group.
        anneal_epochs: epochs of the annealing (default 10).
        anneal_strategy: ``"cos"`` or ``"linear"`` (default ``"cos"``).
        last_epoch: index of the last epoch (default -1).

    Example:
        >>> import ember
        >>> from ember.optim.swa_utils import SWALR
        >>> opt = ember.optim.SGD([ember.nn.Parameter(ember.zeros(1))], lr=1.0)
        >>> sched = SWALR(opt, swa_lr=0.1, anneal_epochs=2, anneal_strategy="linear")
        >>> lrs = []
        >>> for _ in range(3):
        ...     opt.step(); sched.step(); lrs.append(round(sched.get_last_lr()[0], 4))
        >>> lrs
        [0.55, 0.1, 0.1]
    """

    def __init__(
        self,
        optimizer,
        swa_lr,
        anneal_epochs: int = 10,
        anneal_strategy: str = "cos",
        last_epoch: int = -1,
    ) -> None:
        swa_lrs = _format_param("swa_lr", optimizer, swa_lr)
        for lr, group in zip(swa_lrs, optimizer.param_groups):
            group["swa_lr"] = lr
        if anneal_strategy not in ["cos", "linear"]:
            raise ValueError(
                f"anneal_strategy must be one of 'cos' or 'linear', instead got {anneal_strategy}"
            )
        self._set_anneal_func(anneal_strategy)
        if not isinstance(anneal_epochs, int) or anneal_epochs < 0:
            raise ValueError(f"anneal_epochs must be equal or greater than 0, got {anneal_epochs}")
        self.anneal_epochs = anneal_epochs
        super().__init__(optimizer, last_epoch)

    @staticmethod
    def _linear_anneal(t):
        return t

    @staticmethod
    def _cosine_anneal(t):
        return (1 - math.cos(math.pi * t)) / 2

    @staticmethod
    def _get_initial_lr(lr, swa_lr, alpha):
        if alpha == 1:
            return swa_lr
        return (lr - alpha * swa_lr) / (1 - alpha)

    def get_lr(self) -> list:
        if not self._get_lr_called_within_step:
            warnings.warn(
                "To get the last learning rate computed by the scheduler, please use "
                "`get_last_lr()`.",
                UserWarning,
                stacklevel=2,
            )
        step = self._step_count - 1
        if self.anneal_epochs == 0:
            step = max(1, step)
        prev_t = max(0, min(1, (step - 1) / max(1, self.anneal_epochs)))
        prev_alpha = self.anneal_func(prev_t)
        prev_lrs = [
            self._get_initial_lr(group["lr"], group["swa_lr"], prev_alpha)
            for group in self.optimizer.param_groups
        ]
        t = max(0, min(1, step / max(1, self.anneal_epochs)))
        alpha = self.anneal_func(t)
        return [
            group["swa_lr"] * alpha + lr * (1 - alpha)
            for group, lr in zip(self.optimizer.param_groups, prev_lrs)
        ]

    def _set_anneal_func(self, anneal_strategy: str) -> None:
        self._anneal_strategy = anneal_strategy
        self.anneal_func = self._cosine_anneal if anneal_strategy == "cos" else self._linear_anneal

    def state_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k not in ("optimizer", "anneal_func")}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        self.__dict__.update(state_dict)
        self._set_anneal_func(self._anneal_strategy)

"""What ``LightningModule.log`` checks before a value reaches the trainer's results.

Where a metric may be logged and its default ``on_step`` / ``on_epoch`` depend on the hook
that logs it, as in Lightning:

- per-batch training hooks (``training_step``, ``on_train_batch_*``, the backward and
  optimizer hooks): default ``on_step=True, on_epoch=False``;
- evaluation steps and their batch hooks: default ``on_step=False, on_epoch=True``;
- epoch-level hooks (``on_train_epoch_end``, ``on_validation_epoch_end``, ...): epoch only;
- anywhere else (setup, predict, checkpoint hooks, ...): logging is an error.

With ``sync_dist=True`` the value is combined across ranks (``strategy.reduce`` with the
metric's ``reduce_fx``) as it is logged. The epoch reduction then runs on the combined step
values; with the equal per-rank batch sizes a ``DistributedSampler`` gives, the epoch mean
equals the mean over all ranks' samples.
"""

from __future__ import annotations

from typing import Any

from ..utilities.exceptions import MisconfigurationException

__all__ = ["log_value", "reduce_fx_name", "STEP_HOOKS", "EVAL_STEP_HOOKS", "EPOCH_HOOKS"]

STEP_HOOKS = frozenset(
    {
        "training_step",
        "on_train_batch_start",
        "on_train_batch_end",
        "on_before_backward",
        "on_after_backward",
        "on_before_optimizer_step",
        "on_before_zero_grad",
        "optimizer_step",
        "optimizer_zero_grad",
        "lr_scheduler_step",
        "configure_gradient_clipping",
        "clip_gradients",
        "backward",
    }
)
EVAL_STEP_HOOKS = frozenset(
    {
        "validation_step",
        "test_step",
        "on_validation_batch_start",
        "on_validation_batch_end",
        "on_test_batch_start",
        "on_test_batch_end",
    }
)
EPOCH_HOOKS = frozenset(
    {
        "on_train_start",
        "on_train_epoch_start",
        "on_train_epoch_end",
        "on_validation_start",
        "on_validation_epoch_start",
        "on_validation_epoch_end",
        "on_test_start",
        "on_test_epoch_start",
        "on_test_epoch_end",
        "on_validation_model_eval",
        "on_validation_model_train",
        "on_test_model_eval",
        "on_test_model_train",
    }
)

_REDUCE_NAMES = {"mean": "mean", "avg": "mean", "sum": "sum", "max": "max", "min": "min"}


def reduce_fx_name(reduce_fx: Any, name: str) -> str:
    """Normalise ``reduce_fx`` (a name, or ``ember.mean``/``sum``/``max``/``min``, or the
    builtins ``sum``/``max``/``min``) to "mean", "sum", "max" or "min"."""
    if isinstance(reduce_fx, str):
        key = reduce_fx.lower()
    else:
        key = getattr(reduce_fx, "__name__", "")
    if key not in _REDUCE_NAMES:
        raise MisconfigurationException(
            f"self.log({name!r}, ..., reduce_fx={reduce_fx!r}): reduce_fx must be one of "
            "'mean', 'sum', 'max', 'min' (or ember.mean/sum/max/min)"
        )
    return _REDUCE_NAMES[key]


def _default_levels(fx: str, on_step: bool | None, on_epoch: bool | None, name: str):
    if fx in STEP_HOOKS:
        return (True if on_step is None else on_step), (False if on_epoch is None else on_epoch)
    if fx in EVAL_STEP_HOOKS:
        return (False if on_step is None else on_step), (True if on_epoch is None else on_epoch)
    if fx in EPOCH_HOOKS:
        if on_step:
            raise MisconfigurationException(
                f"self.log({name!r}, ..., on_step=True) was called in `{fx}`, which runs once "
                "per epoch: only on_epoch=True is allowed there"
            )
        return False, True
    raise MisconfigurationException(
        f"You can't `self.log()` inside `{fx}`: log from the training/validation/test steps, "
        "their batch hooks or the epoch hooks"
    )


def _to_float(value: Any, name: str) -> float:
    from ember import Tensor

    if isinstance(value, Tensor):
        if value.numel() != 1:
            raise ValueError(
                f"self.log({name!r}, value): value must be a one-element tensor, got a tensor "
                f"of shape {tuple(value.shape)}"
            )
        return float(value.detach().item())
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        if hasattr(value, "item") and getattr(value, "size", 2) == 1:  # NumPy scalars
            return float(value.item())
        raise ValueError(
            f"self.log({name!r}, value): value must be a number or a one-element tensor, got "
            f"{type(value).__name__}"
        )
    return float(value)


def log_value(
    module,
    name: str,
    value: Any,
    *,
    prog_bar: bool,
    logger: bool | None,
    on_step: bool | None,
    on_epoch: bool | None,
    reduce_fx: str,
    add_dataloader_idx: bool,
    batch_size: int | None,
    sync_dist: bool = False,
    sync_dist_group: Any = None,
) -> None:
    """Check one ``self.log`` call and hand it to the trainer's current results."""
    trainer = module._trainer
    if trainer is None:
        module._warn_unattached_log(name)
        return
    results = trainer._results
    fx = module._current_fx_name
    on_step, on_epoch = _default_levels(fx, on_step, on_epoch, name)
    if results is None:
        raise MisconfigurationException(
            f"self.log({name!r}, ...) was called in `{fx}` while no loop is running"
        )
    if not on_step and not on_epoch:
        raise MisconfigurationException(
            f"self.log({name!r}, ..., on_step=False, on_epoch=False) records nothing"
        )
    number = _to_float(value, name)
    if sync_dist:  # the same value on every rank: reduced with reduce_fx when logged
        number = trainer.strategy.reduce(number, group=sync_dist_group, reduce_op=reduce_fx)
    dataloader_idx = module._current_dataloader_idx
    if add_dataloader_idx and dataloader_idx is not None:
        name = f"{name}/dataloader_idx_{dataloader_idx}"
    if batch_size is None:
        batch_size = 1
        if on_epoch and reduce_fx == "mean" and trainer._current_batch is not None:
            from ..utilities.data import extract_batch_size

            batch_size = extract_batch_size(trainer._current_batch)
    results.log(
        fx,
        name,
        number,
        prog_bar=prog_bar,
        logger=True if logger is None else logger,
        on_step=on_step,
        on_epoch=on_epoch,
        reduce_fx=reduce_fx,
        batch_size=int(batch_size),
    )

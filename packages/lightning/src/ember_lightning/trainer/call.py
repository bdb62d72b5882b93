"""Calling hooks: on the callbacks, the LightningModule and the LightningDataModule.

Every hook call of the trainer goes through these three functions, so the order of the calls
can be read in the loops' source and is what the hook-order table documents. While a hook
runs, ``pl_module._current_fx_name`` names it (``self.log`` checks where it is called).
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "call_callbacks",
    "call_module",
    "call_datamodule",
    "call_training_step",
    "is_overridden",
]


def is_overridden(name: str, obj: Any, base: type) -> bool:
    """Whether ``obj`` defines ``name`` differently from ``base`` (instance attributes count)."""
    if obj is None:
        return False
    if name in getattr(obj, "__dict__", {}):
        return True
    return getattr(type(obj), name, None) is not getattr(base, name, None)


def call_callbacks(trainer, hook: str, *args: Any, monitoring: bool | None = None) -> None:
    """Call ``callback.<hook>(trainer, pl_module, *args)`` on each callback, in list order.

    ``monitoring``: None calls all; False only the non-monitoring callbacks; True only the
    monitoring ones (ModelCheckpoint, EarlyStopping), which Lightning calls after the module's
    ``on_train_epoch_end`` so that they see the metrics it logs.
    """
    pl_module = trainer.lightning_module
    previous = pl_module._current_fx_name if pl_module is not None else None
    for callback in trainer.callbacks:
        if monitoring is not None and _is_monitoring(callback) != monitoring:
            continue
        if pl_module is not None:
            pl_module._current_fx_name = hook
        getattr(callback, hook)(trainer, pl_module, *args)
    if pl_module is not None:
        pl_module._current_fx_name = previous


def _is_monitoring(callback) -> bool:
    from ..callbacks.early_stopping import EarlyStopping
    from ..callbacks.model_checkpoint import ModelCheckpoint

    return isinstance(callback, (ModelCheckpoint, EarlyStopping))


def call_module(trainer, hook: str, *args: Any, **kwargs: Any) -> Any:
    """Call ``pl_module.<hook>(*args, **kwargs)`` and return its result."""
    pl_module = trainer.lightning_module
    previous = pl_module._current_fx_name
    pl_module._current_fx_name = hook
    try:
        return getattr(pl_module, hook)(*args, **kwargs)
    finally:
        pl_module._current_fx_name = previous


def call_training_step(trainer, *args: Any) -> Any:
    """Call ``pl_module.training_step(*args)`` through the strategy (under DDP, as the
    wrapper's forward, so that the backward after it averages gradients across ranks)."""
    pl_module = trainer.lightning_module
    previous = pl_module._current_fx_name
    pl_module._current_fx_name = "training_step"
    try:
        return trainer.strategy.training_step(*args)
    finally:
        pl_module._current_fx_name = previous


def call_datamodule(trainer, hook: str, *args: Any, **kwargs: Any) -> Any:
    """Call ``datamodule.<hook>(*args, **kwargs)`` if the trainer has a datamodule."""
    datamodule = trainer.datamodule
    if datamodule is None:
        return None
    return getattr(datamodule, hook)(*args, **kwargs)

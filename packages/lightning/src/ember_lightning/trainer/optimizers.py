"""Reading what ``configure_optimizers`` returns into optimizers and scheduler configs.

Accepted shapes, as in Lightning:

- an optimizer;
- a list or tuple of optimizers;
- two lists: ``([optimizers], [schedulers or scheduler configs])``;
- a dict ``{"optimizer": opt, "lr_scheduler": scheduler or config, "monitor": key}``;
- a list or tuple of such dicts;
- None (no optimizer: training runs the steps and backward, without updates; a warning says so).

A scheduler config is a dict: ``{"scheduler": s, "interval": "epoch" | "step",
"frequency": 1, "monitor": key, "strict": True, "name": None}``.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..utilities.exceptions import MisconfigurationException

__all__ = ["LRSchedulerConfig", "init_optimizers"]

_CONFIG_KEYS = {
    "scheduler",
    "name",
    "interval",
    "frequency",
    "monitor",
    "strict",
    "reduce_on_plateau",
    "opt_idx",
}


@dataclass
class LRSchedulerConfig:
    """How and when the trainer steps one learning-rate scheduler.

    Attributes:
        scheduler: the scheduler.
        name: its name for ``LearningRateMonitor`` (default: ``lr-<Optimizer>``).
        interval: "epoch" (step at the end of each epoch) or "step" (after each optimizer step).
        frequency: step every ``frequency`` intervals.
        reduce_on_plateau: the scheduler is a ``ReduceLROnPlateau`` (stepped with a metric).
        monitor: the metric given to a ``ReduceLROnPlateau`` scheduler.
        strict: raise when ``monitor`` was not logged (False: warn and skip the step).
    """

    scheduler: Any
    name: str | None = None
    interval: str = "epoch"
    frequency: int = 1
    reduce_on_plateau: bool = False
    monitor: str | None = None
    strict: bool = True


def _is_optimizer(obj: Any) -> bool:
    from ember.optim import Optimizer

    return isinstance(obj, Optimizer)


def _is_plateau(scheduler: Any) -> bool:
    from ember.optim.lr_scheduler import ReduceLROnPlateau

    return isinstance(scheduler, ReduceLROnPlateau)


def _scheduler_config(item: Any, monitor: str | None) -> LRSchedulerConfig:
    if isinstance(item, Mapping):
        if "scheduler" not in item:
            raise MisconfigurationException(
                'The lr scheduler dict must have the key "scheduler" with its value being an '
                f"lr scheduler; got keys {sorted(item)}"
            )
        unknown = set(item) - _CONFIG_KEYS
        if unknown:
            raise MisconfigurationException(
                f"Found unsupported keys in the lr scheduler dict: {sorted(unknown)}; supported "
                f"keys are {sorted(_CONFIG_KEYS - {'opt_idx', 'reduce_on_plateau'})}"
            )
        interval = item.get("interval", "epoch")
        if interval not in ("step", "epoch"):
            raise MisconfigurationException(
                f'The "interval" key in lr scheduler dict must be "step" or "epoch" but is '
                f'"{interval}"'
            )
        frequency = item.get("frequency", 1)
        if not isinstance(frequency, int) or frequency < 1:
            raise MisconfigurationException(
                'The "frequency" key in lr scheduler dict must be a positive int, got '
                f"{frequency!r}"
            )
        config = LRSchedulerConfig(
            scheduler=item["scheduler"],
            name=item.get("name"),
            interval=interval,
            frequency=frequency,
            monitor=item.get("monitor", monitor),
            strict=item.get("strict", True),
        )
    else:
        config = LRSchedulerConfig(scheduler=item, monitor=monitor)
    config.reduce_on_plateau = _is_plateau(config.scheduler)
    if config.reduce_on_plateau and config.monitor is None:
        raise MisconfigurationException(
            "`configure_optimizers` must include a monitor when a `ReduceLROnPlateau` scheduler "
            'is used. For example: {"optimizer": optimizer, "lr_scheduler": {"scheduler": '
            'scheduler, "monitor": "your_loss"}}'
        )
    return config


def _from_dict(d: Mapping) -> tuple[Any, list[LRSchedulerConfig]]:
    if "optimizer" not in d:
        raise MisconfigurationException(
            f'`configure_optimizers` returned a dict without the key "optimizer" (keys: '
            f"{sorted(d)})"
        )
    scheduler = d.get("lr_scheduler")
    configs = [] if scheduler is None else [_scheduler_config(scheduler, d.get("monitor"))]
    return d["optimizer"], configs


def _parse(output: Any) -> tuple[list, list[LRSchedulerConfig]]:
    if output is None:
        return [], []
    if _is_optimizer(output):
        return [output], []
    if isinstance(output, Mapping):
        optimizer, configs = _from_dict(output)
        return [optimizer], configs
    if isinstance(output, (list, tuple)):
        if len(output) == 2 and all(isinstance(x, (list, tuple)) for x in output):
            optimizers, schedulers = output
            return list(optimizers), [_scheduler_config(s, None) for s in schedulers]
        if output and all(isinstance(x, Mapping) for x in output):
            optimizers, configs = [], []
            for d in output:
                optimizer, these = _from_dict(d)
                optimizers.append(optimizer)
                configs.extend(these)
            return optimizers, configs
        if all(_is_optimizer(x) for x in output):
            return list(output), []
    raise MisconfigurationException(
        "Unknown configuration for model optimizers. Output from `model.configure_optimizers()` "
        "should be one of: an Optimizer; a list of Optimizers; two lists (optimizers, "
        "lr schedulers); a dict with 'optimizer' and optionally 'lr_scheduler' and 'monitor'; "
        f"a list of such dicts. Got {type(output).__name__}: {output!r}"
    )


def init_optimizers(pl_module) -> tuple[list, list[LRSchedulerConfig]]:
    """Call ``configure_optimizers`` (through the trainer's hook caller) and parse it."""
    from .call import call_module

    output = call_module(pl_module.trainer, "configure_optimizers")
    optimizers, configs = _parse(output)
    if output is None:
        warnings.warn(
            "`LightningModule.configure_optimizers` returned `None`: this fit will run with no "
            "optimizer",
            stacklevel=2,
        )
    for optimizer in optimizers:
        if not _is_optimizer(optimizer):
            raise MisconfigurationException(
                f"`configure_optimizers` returned {type(optimizer).__name__} where an "
                "ember.optim.Optimizer was expected"
            )
    for config in configs:
        if getattr(config.scheduler, "optimizer", None) not in optimizers:
            raise MisconfigurationException(
                f"The scheduler {type(config.scheduler).__name__} steps an optimizer that "
                "`configure_optimizers` did not return"
            )
    return optimizers, configs

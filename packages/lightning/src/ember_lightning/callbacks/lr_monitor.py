"""``LearningRateMonitor``: log the learning rate (and momentum) of each optimizer."""

from __future__ import annotations

from typing import Any

from ..utilities.exceptions import MisconfigurationException
from .callback import Callback

__all__ = ["LearningRateMonitor"]


class LearningRateMonitor(Callback):
    r"""Send the learning rates to the loggers, at every logging step or every epoch.

    Names are ``lr-{Optimizer}`` (the scheduler config's ``name`` when given), with
    ``/pg{i}`` per parameter group when there are several and ``-{n}`` to tell apart
    optimizers of the same class; momentum (``momentum`` or the first of Adam's ``betas``)
    as ``{name}-momentum``, weight decay as ``{name}-weight_decay``.

    Args:
        logging_interval: "step", "epoch", or None (each scheduler's own interval; optimizers
            without a scheduler at every logging step).
        log_momentum: also log the momentum.
        log_weight_decay: also log the weight decay.

    Attributes:
        lrs: ``{name: [values logged so far]}``.

    Example:
        >>> monitor = LearningRateMonitor(logging_interval="step")
        >>> monitor.logging_interval
        'step'
    """

    def __init__(
        self,
        logging_interval: str | None = None,
        log_momentum: bool = False,
        log_weight_decay: bool = False,
    ) -> None:
        if logging_interval not in (None, "step", "epoch"):
            raise MisconfigurationException(
                "logging_interval should be `step` or `epoch` or `None`."
            )
        self.logging_interval = logging_interval
        self.log_momentum = log_momentum
        self.log_weight_decay = log_weight_decay
        self.lrs: dict[str, list[float]] = {}
        self._entries: list[tuple[str, Any, str | None]] = []

    def on_train_start(self, trainer, pl_module) -> None:
        if not trainer.loggers:
            raise MisconfigurationException(
                "Cannot use `LearningRateMonitor` callback with `Trainer` that has no logger."
            )
        self._entries = self._find_names(trainer)
        self.lrs = {}
        for name, optimizer, _ in self._entries:
            groups = optimizer.param_groups
            for suffix in self._group_suffixes(groups):
                self.lrs[name + suffix] = []

    @staticmethod
    def _group_suffixes(groups: list) -> list[str]:
        return [""] if len(groups) == 1 else [f"/pg{i + 1}" for i in range(len(groups))]

    def _find_names(self, trainer) -> list[tuple[str, Any, str | None]]:
        """``(name, optimizer, interval)`` per optimizer; interval None: no scheduler."""
        entries = []
        seen: dict[str, int] = {}
        with_scheduler = {}
        for config in trainer.lr_scheduler_configs:
            with_scheduler[id(config.scheduler.optimizer)] = config
        for optimizer in trainer.optimizers:
            config = with_scheduler.get(id(optimizer))
            if config is not None and config.name:
                name = config.name
            else:
                name = f"lr-{type(optimizer).__name__}"
                seen[name] = seen.get(name, 0) + 1
                if seen[name] > 1:
                    name = f"{name}-{seen[name] - 1}"
            entries.append((name, optimizer, config.interval if config else None))
        return entries

    def _stats(self, trainer, interval: str) -> dict[str, float]:
        stats: dict[str, float] = {}
        for name, optimizer, own_interval in self._entries:
            if interval != "any" and own_interval not in (interval, None):
                continue
            if interval == "epoch" and own_interval is None:
                continue
            groups = optimizer.param_groups
            for suffix, group in zip(self._group_suffixes(groups), groups):
                key = name + suffix
                lr = float(group["lr"])
                stats[key] = lr
                self.lrs.setdefault(key, []).append(lr)
                if self.log_momentum:
                    momentum = group.get("momentum", group.get("betas", (0.0,))[0])
                    stats[f"{key}-momentum"] = float(momentum)
                if self.log_weight_decay and "weight_decay" in group:
                    stats[f"{key}-weight_decay"] = float(group["weight_decay"])
        return stats

    def on_train_batch_start(self, trainer, pl_module, batch, batch_idx: int) -> None:
        if not trainer._logger_connector.should_update_logs:
            return
        if self.logging_interval != "epoch":
            interval = "step" if self.logging_interval is None else "any"
            self._log(trainer, self._stats(trainer, interval))

    def on_train_epoch_start(self, trainer, pl_module) -> None:
        if self.logging_interval != "step":
            interval = "epoch" if self.logging_interval is None else "any"
            self._log(trainer, self._stats(trainer, interval))

    @staticmethod
    def _log(trainer, stats: dict[str, float]) -> None:
        if not stats or not trainer.is_global_zero:
            return
        step = trainer.fit_loop.epoch_loop._batches_that_stepped
        for logger in trainer.loggers:
            logger.log_metrics(stats, step=step)

"""``EarlyStopping``: stop training when a monitored metric stops improving."""

from __future__ import annotations

import math
from typing import Any

from ..utilities.exceptions import MisconfigurationException
from .callback import Callback

__all__ = ["EarlyStopping"]


class EarlyStopping(Callback):
    r"""Stop training when ``monitor`` has not improved for ``patience`` checks.

    A check happens after each validation run (or at the end of each training epoch when
    validation runs once per epoch at its end, or when ``check_on_train_epoch_end``). An
    improvement is a change beyond ``min_delta`` in the direction of ``mode``.

    Args:
        monitor: the logged metric to watch.
        min_delta: the smallest change that counts as an improvement.
        patience: checks without improvement before stopping.
        verbose: print why training stops.
        mode: "min" (the metric should decrease) or "max".
        strict: raise when ``monitor`` was not logged (False: skip the check).
        check_finite: stop when the metric becomes NaN or infinite.
        stopping_threshold: stop as soon as the metric is better than this.
        divergence_threshold: stop as soon as the metric is worse than this.
        check_on_train_epoch_end: check at the end of the training epoch (True) or after
            validation (False); default as described above.
        log_rank_zero_only: accepted for Lightning's signature (one process).

    Attributes:
        wait_count: checks since the last improvement.
        best_score: the best value seen.
        stopped_epoch: the epoch at which training was stopped (0 if it was not).

    Example:
        >>> early_stopping = EarlyStopping(monitor="val_loss", patience=5, mode="min")
        >>> early_stopping.patience
        5
    """

    order_dict = {"min": "<", "max": ">"}

    def __init__(
        self,
        monitor: str,
        min_delta: float = 0.0,
        patience: int = 3,
        verbose: bool = False,
        mode: str = "min",
        strict: bool = True,
        check_finite: bool = True,
        stopping_threshold: float | None = None,
        divergence_threshold: float | None = None,
        check_on_train_epoch_end: bool | None = None,
        log_rank_zero_only: bool = False,
    ) -> None:
        if mode not in self.order_dict:
            raise MisconfigurationException(f"`mode` can be min, max, got {mode}")
        self.monitor = monitor
        self.patience = patience
        self.verbose = verbose
        self.mode = mode
        self.strict = strict
        self.check_finite = check_finite
        self.stopping_threshold = stopping_threshold
        self.divergence_threshold = divergence_threshold
        self.wait_count = 0
        self.stopped_epoch = 0
        self._check_on_train_epoch_end = check_on_train_epoch_end
        self.log_rank_zero_only = log_rank_zero_only
        # min_delta is stored signed, so that "current - min_delta better than best" works
        self.min_delta = abs(min_delta) * (1 if mode == "max" else -1)
        self.best_score = math.inf if mode == "min" else -math.inf

    def _better(self, a: float, b: float) -> bool:
        return a < b if self.mode == "min" else a > b

    @property
    def state_key(self) -> str:
        return self._generate_state_key(monitor=self.monitor, mode=self.mode)

    def setup(self, trainer, pl_module, stage: str) -> None:
        if self._check_on_train_epoch_end is None:
            self._check_on_train_epoch_end = (
                trainer.val_check_interval == 1.0 and trainer.check_val_every_n_epoch == 1
            )

    def state_dict(self) -> dict[str, Any]:
        return {
            "wait_count": self.wait_count,
            "stopped_epoch": self.stopped_epoch,
            "best_score": self.best_score,
            "patience": self.patience,
        }

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        self.wait_count = state_dict["wait_count"]
        self.stopped_epoch = state_dict["stopped_epoch"]
        self.best_score = state_dict["best_score"]
        self.patience = state_dict["patience"]

    def _should_skip_check(self, trainer) -> bool:
        return trainer.state.fn.value != "fit" or trainer.sanity_checking

    def on_train_epoch_end(self, trainer, pl_module) -> None:
        if not self._check_on_train_epoch_end or self._should_skip_check(trainer):
            return
        self._run_early_stopping_check(trainer)

    def on_validation_end(self, trainer, pl_module) -> None:
        if self._check_on_train_epoch_end or self._should_skip_check(trainer):
            return
        self._run_early_stopping_check(trainer)

    def _validate_condition_metric(self, logs: dict) -> bool:
        if self.monitor in logs:
            return True
        message = (
            f"Early stopping conditioned on metric `{self.monitor}` which is not available. "
            "Pass in or modify your `EarlyStopping` callback to use any of the following: "
            f"`{'`, `'.join(sorted(logs))}`"
        )
        if self.strict:
            raise RuntimeError(message)
        if self.verbose:
            import warnings

            warnings.warn(message, RuntimeWarning, stacklevel=3)
        return False

    def _run_early_stopping_check(self, trainer) -> None:
        logs = trainer.callback_metrics
        if trainer.fast_dev_run or not self._validate_condition_metric(logs):
            return
        current = float(logs[self.monitor])
        should_stop, reason = self._evaluate_stopping_criteria(current)
        # DDP: every rank stops when one of them decides to (the loops must stay in step)
        should_stop = trainer.strategy.reduce_boolean_decision(should_stop, all=False)
        trainer.should_stop = trainer.should_stop or should_stop
        if should_stop:
            self.stopped_epoch = trainer.current_epoch
        if reason and self.verbose and trainer.is_global_zero:
            print(reason)

    def _evaluate_stopping_criteria(self, current: float) -> tuple[bool, str | None]:
        should_stop = False
        reason = None
        if self.check_finite and not math.isfinite(current):
            should_stop = True
            reason = (
                f"Monitored metric {self.monitor} = {current} is not finite. Previous best value "
                f"was {self.best_score:.3f}. Signaling Trainer to stop."
            )
        elif self.stopping_threshold is not None and self._better(current, self.stopping_threshold):
            should_stop = True
            reason = (
                f"Stopping threshold reached: {self.monitor} = {current} "
                f"{self.order_dict[self.mode]} {self.stopping_threshold}. Signaling Trainer to "
                "stop."
            )
        elif self.divergence_threshold is not None and self._better(
            -current, -self.divergence_threshold
        ):
            should_stop = True
            reason = (
                f"Divergence threshold reached: {self.monitor} = {current} "
                f"{self.order_dict[self.mode]} {self.divergence_threshold}. Signaling Trainer to "
                "stop."
            )
        elif self._better(current - self.min_delta, self.best_score):
            reason = self._improvement_message(current)
            self.best_score = current
            self.wait_count = 0
        else:
            self.wait_count += 1
            if self.wait_count >= self.patience:
                should_stop = True
                reason = (
                    f"Monitored metric {self.monitor} did not improve in the last "
                    f"{self.wait_count} records. Best score: {self.best_score:.3f}. Signaling "
                    "Trainer to stop."
                )
        return should_stop, reason

    def _improvement_message(self, current: float) -> str:
        if math.isfinite(self.best_score):
            return (
                f"Metric {self.monitor} improved by {abs(self.best_score - current):.3f} >= "
                f"min_delta = {abs(self.min_delta)}. New best score: {current:.3f}"
            )
        return f"Metric {self.monitor} improved. New best score: {current:.3f}"

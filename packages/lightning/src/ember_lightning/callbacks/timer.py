"""``Timer``: measure the time spent in each loop, and stop training after a duration."""

from __future__ import annotations

import re
import time
from datetime import timedelta
from typing import Any

from ..utilities.exceptions import MisconfigurationException
from .callback import Callback

__all__ = ["Timer"]

_STAGES = ("train", "validate", "test")


def _parse_duration(duration: str | timedelta | dict | None) -> timedelta | None:
    if duration is None or isinstance(duration, timedelta):
        return duration
    if isinstance(duration, dict):
        return timedelta(**duration)
    if isinstance(duration, str) and re.fullmatch(r"\d+:\d\d:\d\d:\d\d", duration.strip()):
        days, hours, minutes, seconds = (int(x) for x in duration.strip().split(":"))
        return timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)
    raise MisconfigurationException(
        f"Timer(duration={duration!r}): expected a string 'DD:HH:MM:SS', a datetime.timedelta "
        "or a dict of timedelta arguments"
    )


class Timer(Callback):
    """Track the time spent training, validating and testing; stop fit after ``duration``.

    ``Trainer(max_time=...)`` adds one with ``interval="step"``.

    Args:
        duration: the training budget: "DD:HH:MM:SS", a ``timedelta`` or a dict such as
            ``{"minutes": 5}``; None only measures.
        interval: check after every training "step" or at the end of every "epoch".
        verbose: print when the time is up.

    Example:
        >>> timer = Timer(duration="00:00:01:30")
        >>> timer.time_remaining()
        90.0
    """

    def __init__(
        self,
        duration: str | timedelta | dict | None = None,
        interval: str = "step",
        verbose: bool = True,
    ) -> None:
        if interval not in ("step", "epoch"):
            raise MisconfigurationException(
                f"Unsupported parameter value `Timer(interval={interval!r})`. Possible values "
                "are: step, epoch."
            )
        duration = _parse_duration(duration)
        self._duration = duration.total_seconds() if duration is not None else None
        self._interval = interval
        self._verbose = verbose
        self._start_time: dict[str, float | None] = dict.fromkeys(_STAGES)
        self._end_time: dict[str, float | None] = dict.fromkeys(_STAGES)
        self._offset = 0.0

    def start_time(self, stage: str = "train") -> float | None:
        """When ``stage`` started (``time.monotonic`` seconds), None if it did not."""
        return self._start_time[stage]

    def end_time(self, stage: str = "train") -> float | None:
        """When ``stage`` ended, None if it did not."""
        return self._end_time[stage]

    def time_elapsed(self, stage: str = "train") -> float:
        """Seconds spent in ``stage`` (for "train": including the time before a resume)."""
        start = self._start_time[stage]
        end = self._end_time[stage]
        offset = self._offset if stage == "train" else 0.0
        if start is None:
            return offset
        if end is None:
            return time.monotonic() - start + offset
        return end - start + offset

    def time_remaining(self, stage: str = "train") -> float | None:
        """Seconds of ``duration`` left, None without a duration."""
        if self._duration is None:
            return None
        return self._duration - self.time_elapsed(stage)

    def on_train_start(self, trainer, pl_module) -> None:
        self._start_time["train"] = time.monotonic()
        self._end_time["train"] = None

    def on_train_end(self, trainer, pl_module) -> None:
        self._end_time["train"] = time.monotonic()

    def on_validation_start(self, trainer, pl_module) -> None:
        self._start_time["validate"] = time.monotonic()
        self._end_time["validate"] = None

    def on_validation_end(self, trainer, pl_module) -> None:
        self._end_time["validate"] = time.monotonic()

    def on_test_start(self, trainer, pl_module) -> None:
        self._start_time["test"] = time.monotonic()
        self._end_time["test"] = None

    def on_test_end(self, trainer, pl_module) -> None:
        self._end_time["test"] = time.monotonic()

    def on_fit_start(self, trainer, pl_module) -> None:
        if self._duration is not None and self._duration <= 0:
            trainer.should_stop = True

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx: int) -> None:
        if self._interval == "step" and self._duration is not None:
            self._check_time_remaining(trainer)

    def on_train_epoch_end(self, trainer, pl_module) -> None:
        if self._interval == "epoch" and self._duration is not None:
            self._check_time_remaining(trainer)

    def state_dict(self) -> dict[str, Any]:
        return {"time_elapsed": {stage: self.time_elapsed(stage) for stage in _STAGES}}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        self._offset = state_dict["time_elapsed"].get("train", 0.0)

    def _check_time_remaining(self, trainer) -> None:
        should_stop = self.time_elapsed() >= self._duration
        should_stop = trainer.strategy.broadcast(should_stop)  # DDP: rank 0's clock decides
        trainer.should_stop = trainer.should_stop or should_stop
        if should_stop and self._verbose and trainer.is_global_zero:
            elapsed = timedelta(seconds=int(self.time_elapsed()))
            print(f"Time limit reached. Elapsed time is {elapsed}. Signaling Trainer to stop.")

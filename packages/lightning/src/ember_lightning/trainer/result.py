"""What ``self.log`` records during one loop run, and how it is reduced.

One :class:`LoggedMetric` per (hook, name): it keeps the value of the last step and the
running reduction over the epoch. :meth:`ResultCollection.metrics` turns them into the three
dicts the trainer publishes:

- ``"log"``: for the loggers (``logger=True``);
- ``"pbar"``: for the progress bar (``prog_bar=True``);
- ``"callback"``: for callbacks (``trainer.callback_metrics``: ModelCheckpoint, EarlyStopping).

A metric logged with both ``on_step`` and ``on_epoch`` is "forked": its step value is
published as ``{name}_step``, its epoch value as ``{name}_epoch``; callbacks also get
``name``, holding the latest of the two.
"""

from __future__ import annotations

import math

__all__ = ["LoggedMetric", "ResultCollection"]


class LoggedMetric:
    """The state of one logged key (see the module docstring)."""

    __slots__ = (
        "fx",
        "name",
        "prog_bar",
        "logger",
        "on_step",
        "on_epoch",
        "reduce_fx",
        "last",
        "total",
        "weight",
        "updated",
    )

    def __init__(self, fx, name, prog_bar, logger, on_step, on_epoch, reduce_fx):
        self.fx = fx
        self.name = name
        self.prog_bar = prog_bar
        self.logger = logger
        self.on_step = on_step
        self.on_epoch = on_epoch
        self.reduce_fx = reduce_fx
        self.last = math.nan
        self.total = 0.0
        self.weight = 0
        self.updated = False  # logged since the last step publication

    @property
    def forked(self) -> bool:
        return self.on_step and self.on_epoch

    def update(self, value: float, batch_size: int) -> None:
        """Record the value of one step, weighted by ``batch_size`` in the epoch mean."""
        self.last = value
        self.updated = True
        fx = self.reduce_fx
        if fx == "mean":
            self.total += value * batch_size
            self.weight += batch_size
        elif fx == "sum":
            self.total += value
            self.weight += 1
        elif self.weight == 0:
            self.total = value
            self.weight = 1
        elif fx == "max":
            self.total = value if math.isnan(value) else max(self.total, value)
        else:
            self.total = value if math.isnan(value) else min(self.total, value)

    def compute(self) -> float:
        """The epoch reduction of the values so far."""
        if self.reduce_fx == "mean":
            return self.total / self.weight if self.weight else math.nan
        return self.total

    def published_name(self, on_step: bool) -> str:
        if not self.forked:
            return self.name
        return f"{self.name}_step" if on_step else f"{self.name}_epoch"


class ResultCollection:
    """The metrics logged during one loop (training, or one validation/test run).

    Args:
        training: True for the training loop: step values reach ``callback_metrics`` too.
    """

    def __init__(self, training: bool) -> None:
        self.training = training
        self._metrics: dict[tuple[str, str], LoggedMetric] = {}

    def log(
        self, fx, name, value, *, prog_bar, logger, on_step, on_epoch, reduce_fx, batch_size
    ) -> None:
        key = (fx, name)
        metric = self._metrics.get(key)
        if metric is None:
            metric = LoggedMetric(fx, name, prog_bar, logger, on_step, on_epoch, reduce_fx)
            self._metrics[key] = metric
        metric.update(value, batch_size)

    def metrics(self, on_step: bool) -> dict[str, dict[str, float]]:
        """The published values: the last step's (``on_step``) or the epoch reductions."""
        out: dict[str, dict[str, float]] = {"log": {}, "pbar": {}, "callback": {}}
        for metric in self._metrics.values():
            if on_step:
                if not (metric.on_step and metric.updated):
                    continue
                value = metric.last
            else:
                if not metric.on_epoch or metric.weight == 0:
                    continue
                value = metric.compute()
            published = metric.published_name(on_step)
            if metric.logger:
                out["log"][published] = value
            if self.training or not on_step:
                out["callback"][metric.name] = value
                out["callback"][published] = value
            if metric.prog_bar:
                out["pbar"][published] = value
        return out

    def step_done(self) -> None:
        """Mark the step values as published (a metric not logged again is not re-published)."""
        for metric in self._metrics.values():
            metric.updated = False

    def reset(self) -> None:
        """Forget everything (at the start of an epoch or evaluation run)."""
        self._metrics.clear()

    def __len__(self) -> int:
        return len(self._metrics)

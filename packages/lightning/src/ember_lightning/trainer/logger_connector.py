"""From ``self.log`` to the loggers, the progress bar and the callbacks.

The loops tell the connector when a step or an epoch ends; it takes the values out of the
running :class:`~ember_lightning.trainer.result.ResultCollection` and publishes them in
``trainer.callback_metrics`` (Tensors, as in Lightning), ``trainer.progress_bar_metrics``
(floats) and ``trainer.logged_metrics`` (floats), and calls ``logger.log_metrics``:

- training step values every ``log_every_n_steps`` optimizer steps (at step
  ``trainer._batches_that_stepped``, with ``"epoch"`` added);
- epoch values at the end of each training epoch and of each validation/test run.

During the sanity check nothing is published.
"""

from __future__ import annotations

__all__ = ["LoggerConnector"]


def _as_tensor(value: float):
    import ember

    return ember.tensor(value, dtype=ember.float32)


class LoggerConnector:
    """Publishes logged metrics for one trainer (see the module docstring)."""

    def __init__(self, trainer, log_every_n_steps: int) -> None:
        self.trainer = trainer
        self.log_every_n_steps = log_every_n_steps
        self.callback_metrics: dict = {}
        self.logged_metrics: dict = {}
        self.progress_bar_metrics: dict = {}
        self._eval_logged_steps = 0

    def reset_metrics(self) -> None:
        self.callback_metrics = {}
        self.logged_metrics = {}
        self.progress_bar_metrics = {}

    @property
    def should_update_logs(self) -> bool:
        """Whether this training step's values go to the loggers."""
        step = self.trainer.fit_loop.epoch_loop._batches_that_stepped + 1
        return step % self.log_every_n_steps == 0 or self.trainer.should_stop

    def log_metrics(self, metrics: dict[str, float], step: int | None = None) -> None:
        """Send ``metrics`` (plus ``"epoch"``) to every logger."""
        trainer = self.trainer
        if not metrics or not trainer.loggers:
            return
        metrics = dict(metrics)
        metrics.setdefault("epoch", trainer.current_epoch)
        if step is None:
            step = trainer.fit_loop.epoch_loop._batches_that_stepped
        if trainer.is_global_zero:  # the other ranks' loggers write nothing
            for logger in trainer.loggers:
                logger.log_metrics(metrics, step=step)
                logger.save()
        self.logged_metrics.update(metrics)

    def _publish(self, metrics: dict[str, dict[str, float]]) -> None:
        self.callback_metrics.update({k: _as_tensor(v) for k, v in metrics["callback"].items()})
        self.progress_bar_metrics.update(metrics["pbar"])

    # -- training -----------------------------------------------------------------------------
    def update_train_step_metrics(self) -> None:
        trainer = self.trainer
        results = trainer.fit_loop.train_results
        metrics = results.metrics(on_step=True)
        results.step_done()
        self._publish(metrics)
        if self.should_update_logs or trainer.fast_dev_run:
            self.log_metrics(metrics["log"])

    def publish_train_epoch_metrics(self) -> dict[str, dict[str, float]]:
        """Publish the epoch values of the training loop for the epoch-end hooks."""
        metrics = self.trainer.fit_loop.train_results.metrics(on_step=False)
        self._publish(metrics)
        return metrics

    def log_train_epoch_metrics(self) -> None:
        """Send the training epoch values to the loggers, at the step of the epoch's last
        batch (as Lightning does)."""
        metrics = self.publish_train_epoch_metrics()
        epoch_loop = self.trainer.fit_loop.epoch_loop
        self.log_metrics(metrics["log"], step=max(epoch_loop._batches_that_stepped - 1, 0))

    # -- evaluation ---------------------------------------------------------------------------
    def update_eval_step_metrics(self, results) -> None:
        metrics = results.metrics(on_step=True)
        results.step_done()
        if self.trainer.sanity_checking:
            return
        self._publish(metrics)
        if metrics["log"]:
            self.log_metrics(metrics["log"], step=self._eval_logged_steps)
        self._eval_logged_steps += 1

    def update_eval_epoch_metrics(self, results, num_dataloaders: int) -> list[dict[str, float]]:
        """Publish the epoch values of an evaluation run; returns one dict per dataloader."""
        metrics = results.metrics(on_step=False)
        if self.trainer.sanity_checking:
            return []
        self._publish(metrics)
        self.log_metrics(metrics["log"])
        per_loader = []
        for idx in range(num_dataloaders):
            suffix = f"/dataloader_idx_{idx}"
            per_loader.append(
                {
                    k: v
                    for k, v in metrics["callback"].items()
                    if num_dataloaders == 1 or k.endswith(suffix) or "/dataloader_idx_" not in k
                }
            )
        return per_loader

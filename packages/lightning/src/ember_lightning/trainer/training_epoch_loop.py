"""The loop over the batches of one training epoch, with validation inside it.

For each batch: transfer to the device, ``on_train_batch_start`` (returning -1 ends the
epoch), the optimisation step, the "step"-interval schedulers, ``on_train_batch_end``,
publishing the logged step values; then validation when ``val_check_interval`` says so.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

from ..utilities.exceptions import MisconfigurationException
from .call import call_callbacks, call_module

__all__ = ["TrainingEpochLoop"]


class TrainingEpochLoop:
    """Batches of one epoch (see the module docstring).

    Attributes:
        global_step: optimizer steps taken since the start of training.
        batch_idx: batches processed in the current epoch.
        total_batch_idx: batches processed since the start of training.
    """

    def __init__(self, trainer, min_steps: int | None, max_steps: int) -> None:
        self.trainer = trainer
        self.min_steps = min_steps
        self.max_steps = max_steps
        self.global_step = 0
        self.batch_idx = 0
        self.total_batch_idx = 0
        self._batches_that_stepped = 0
        self.finished = False
        self._stop_epoch = False  # on_train_batch_start returned -1

    # -- state --------------------------------------------------------------------------------
    @property
    def max_steps_reached(self) -> bool:
        return self.max_steps != -1 and self.global_step >= self.max_steps

    @property
    def done(self) -> bool:
        trainer = self.trainer
        if self.batch_idx >= trainer.num_training_batches or self._stop_epoch:
            return True
        if self.max_steps_reached:
            return True
        return trainer.should_stop and trainer.fit_loop.can_stop_early

    def state_dict(self) -> dict[str, Any]:
        return {
            "global_step": self.global_step,
            "batch_idx": self.batch_idx,
            "total_batch_idx": self.total_batch_idx,
            "batches_that_stepped": self._batches_that_stepped,
            "finished": self.finished,
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.global_step = state["global_step"]
        self.total_batch_idx = state["total_batch_idx"]
        self._batches_that_stepped = state["batches_that_stepped"]
        # a finished epoch resumes at the next one; an unfinished one where it stopped
        self.batch_idx = 0 if state["finished"] else state["batch_idx"]

    # -- the loop -------------------------------------------------------------------------------
    def run(self, loader) -> None:
        """Run the epoch's remaining batches (from ``batch_idx``, after a mid-epoch resume)."""
        self.finished = False
        self._stop_epoch = False
        iterator = iter(loader)
        while not self.done:
            try:
                batch = next(iterator)
            except StopIteration:
                if math.isinf(self.trainer.num_training_batches) and self._should_check_val_epoch():
                    self._run_validation()
                break
            self.advance(batch)
            self.on_advance_end()
        self.finished = True

    def advance(self, batch: Any) -> None:
        trainer = self.trainer
        batch_idx = self.batch_idx
        trainer._current_batch = None
        batch = trainer._data.transfer_batch(batch, 0)
        trainer._current_batch = batch
        call_callbacks(trainer, "on_train_batch_start", batch, batch_idx)
        response = call_module(trainer, "on_train_batch_start", batch, batch_idx)
        if response == -1:
            self._stop_epoch = True
            return
        if trainer.lightning_module.automatic_optimization:
            outputs = trainer._optimization.run_automatic(batch, batch_idx)
        else:
            outputs = trainer._optimization.run_manual(batch, batch_idx)
        self.batch_idx += 1
        accumulating = trainer._optimization.should_accumulate(batch_idx)
        if not accumulating:
            self.update_lr_schedulers("step", plateau=False)
        if self.batch_idx >= trainer.num_training_batches:
            self.update_lr_schedulers("epoch", plateau=False)
        call_callbacks(trainer, "on_train_batch_end", outputs, batch, batch_idx)
        call_module(trainer, "on_train_batch_end", outputs, batch, batch_idx)
        if not (accumulating and trainer.lightning_module.automatic_optimization):
            trainer._logger_connector.update_train_step_metrics()
        self.total_batch_idx += 1
        trainer._current_batch = None

    def on_advance_end(self) -> None:
        trainer = self.trainer
        if self._stop_epoch:
            return
        if self._should_check_val():
            self._run_validation()
        self.update_lr_schedulers("step", plateau=True)
        if not trainer._optimization.should_accumulate(self.batch_idx - 1):
            self._batches_that_stepped += 1

    # -- validation inside the epoch -----------------------------------------------------------
    def _should_check_val_epoch(self) -> bool:
        trainer = self.trainer
        every = trainer.check_val_every_n_epoch
        return trainer.enable_validation and (
            every is None or (trainer.current_epoch + 1) % every == 0
        )

    def _should_check_val(self) -> bool:
        trainer = self.trainer
        if not self._should_check_val_epoch():
            return False
        if trainer.should_stop and trainer.fit_loop.can_stop_early:
            return True
        val_check_batch = trainer.val_check_batch
        if math.isinf(val_check_batch):
            return False  # validated when the unsized loader runs out
        count = self.total_batch_idx if trainer.check_val_every_n_epoch is None else self.batch_idx
        return count % val_check_batch == 0

    def _run_validation(self) -> None:
        trainer = self.trainer
        if not trainer._optimization.should_accumulate(self.batch_idx - 1):
            call_module(trainer, "on_validation_model_zero_grad")
        trainer._run_evaluation_in_fit()

    # -- schedulers -----------------------------------------------------------------------------
    def update_lr_schedulers(self, interval: str, plateau: bool) -> None:
        """Step the schedulers of ``interval`` ("step" or "epoch"), only the
        ``ReduceLROnPlateau`` ones (``plateau``) or only the others."""
        trainer = self.trainer
        if not trainer.lightning_module.automatic_optimization:
            return
        for config in trainer.lr_scheduler_configs:
            if config.reduce_on_plateau != plateau or config.interval != interval:
                continue
            count = self.global_step if interval == "step" else trainer.current_epoch + 1
            if count % config.frequency != 0:
                continue
            metric = None
            if config.reduce_on_plateau:
                value = trainer.callback_metrics.get(config.monitor)
                if value is None:
                    message = (
                        f"ReduceLROnPlateau conditioned on metric {config.monitor} which is not "
                        f"available. Available metrics are: {sorted(trainer.callback_metrics)}. "
                        "Condition can be set using `monitor` key in lr scheduler dict"
                    )
                    if config.strict:
                        raise MisconfigurationException(message)
                    warnings.warn(message, RuntimeWarning, stacklevel=2)
                    continue
                metric = float(value)
            call_module(trainer, "lr_scheduler_step", config.scheduler, metric)

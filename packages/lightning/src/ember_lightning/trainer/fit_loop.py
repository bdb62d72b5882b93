"""The loop over training epochs.

Per epoch: ``on_train_epoch_start``, the batches (:class:`TrainingEpochLoop`, which also
validates), then ``on_train_epoch_end`` of the callbacks and the module, the
``ReduceLROnPlateau`` "epoch" schedulers, ``on_train_epoch_end`` of the monitoring callbacks
(EarlyStopping, ModelCheckpoint), and the epoch's values go to the loggers.

The plateau schedulers step before the checkpoint is written (Lightning steps them after), so
that a checkpoint taken at the end of an epoch holds the scheduler state the next epoch starts
from: resuming from it is exact.
"""

from __future__ import annotations

from typing import Any

from .call import call_callbacks, call_module
from .result import ResultCollection
from .training_epoch_loop import TrainingEpochLoop

__all__ = ["FitLoop"]


class FitLoop:
    """Epochs of training (see the module docstring).

    Attributes:
        max_epochs / min_epochs: the epoch limits (-1: no maximum).
        epoch_loop: the loop over one epoch's batches (it holds ``global_step``).
        train_results: what ``self.log`` recorded in the current training epoch.
    """

    def __init__(self, trainer, min_epochs: int | None, max_epochs: int) -> None:
        self.trainer = trainer
        self.min_epochs = min_epochs
        self.max_epochs = max_epochs
        self.epoch_loop = TrainingEpochLoop(trainer, None, -1)
        self.current_epoch = 0
        self.train_results = ResultCollection(training=True)
        self.train_dataloader = None

    @property
    def can_stop_early(self) -> bool:
        """Whether ``min_epochs`` and ``min_steps`` are met (``should_stop`` is honoured)."""
        met_epochs = self.current_epoch >= self.min_epochs if self.min_epochs else True
        min_steps = self.epoch_loop.min_steps
        met_steps = self.epoch_loop.global_step >= min_steps if min_steps else True
        return met_epochs and met_steps

    @property
    def done(self) -> bool:
        if self.max_epochs == 0 or self.epoch_loop.max_steps_reached:
            return True
        if self.max_epochs != -1 and self.current_epoch >= self.max_epochs:
            return True
        return self.trainer.should_stop and self.can_stop_early

    def state_dict(self) -> dict[str, Any]:
        return {"current_epoch": self.current_epoch, "epoch_loop": self.epoch_loop.state_dict()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        finished = state["epoch_loop"]["finished"]
        self.current_epoch = state["current_epoch"] + (1 if finished else 0)
        self.epoch_loop.load_state_dict(state["epoch_loop"])

    # -- the loop -------------------------------------------------------------------------------
    def run(self) -> None:
        trainer = self.trainer
        trainer._load_train_dataloader()
        if trainer.num_training_batches == 0:
            return
        trainer._checkpoint_connector.restore_rng_states()
        trainer.lightning_module.train()
        call_callbacks(trainer, "on_train_start")
        call_module(trainer, "on_train_start")
        while not self.done:
            self.run_epoch()
        call_callbacks(trainer, "on_train_end")
        call_module(trainer, "on_train_end")

    def run_epoch(self) -> None:
        trainer = self.trainer
        loader = self.train_dataloader
        for sampler in (
            getattr(loader, "sampler", None),
            getattr(getattr(loader, "batch_sampler", None), "sampler", None),
        ):
            if hasattr(sampler, "set_epoch"):
                sampler.set_epoch(self.current_epoch)
        self.train_results.reset()
        call_callbacks(trainer, "on_train_epoch_start")
        call_module(trainer, "on_train_epoch_start")
        self.epoch_loop.run(loader)
        connector = trainer._logger_connector
        connector.publish_train_epoch_metrics()
        call_callbacks(trainer, "on_train_epoch_end", monitoring=False)
        call_module(trainer, "on_train_epoch_end")
        connector.publish_train_epoch_metrics()
        if self.epoch_loop.batch_idx >= trainer.num_training_batches:
            self.epoch_loop.update_lr_schedulers("epoch", plateau=True)
        call_callbacks(trainer, "on_train_epoch_end", monitoring=True)
        connector.log_train_epoch_metrics()
        # DDP: a stop asked for on any rank (by a callback or the module) ends every rank's fit
        trainer.should_stop = trainer.strategy.reduce_boolean_decision(
            trainer.should_stop, all=False
        )
        self.current_epoch += 1
        self.epoch_loop.batch_idx = 0
        self.epoch_loop.finished = False

"""The hooks of ``LightningModule`` and ``LightningDataModule``, grouped as in Lightning.

Every hook is a method with a working default (most do nothing); the trainer calls them at
the moments listed in docs/lightning.md (the hook-order table).
"""

from __future__ import annotations

from typing import Any

from ..utilities.exceptions import MisconfigurationException

__all__ = ["ModelHooks", "DataHooks", "CheckpointHooks"]


class ModelHooks:
    """Hooks around the loops and the optimisation step."""

    def on_fit_start(self) -> None:
        """Called at the very beginning of fit."""

    def on_fit_end(self) -> None:
        """Called at the very end of fit."""

    def on_train_start(self) -> None:
        """Called at the beginning of training, after the sanity check."""

    def on_train_end(self) -> None:
        """Called at the end of training, before the logger is finalised."""

    def on_validation_start(self) -> None:
        """Called at the beginning of validation."""

    def on_validation_end(self) -> None:
        """Called at the end of validation."""

    def on_test_start(self) -> None:
        """Called at the beginning of testing."""

    def on_test_end(self) -> None:
        """Called at the end of testing."""

    def on_predict_start(self) -> None:
        """Called at the beginning of predicting."""

    def on_predict_end(self) -> None:
        """Called at the end of predicting."""

    def on_train_batch_start(self, batch: Any, batch_idx: int) -> int | None:
        """Called before ``training_step``; returning -1 skips the rest of the epoch."""

    def on_train_batch_end(self, outputs: Any, batch: Any, batch_idx: int) -> None:
        """Called after the training batch (``outputs``: what training_step returned)."""

    def on_validation_batch_start(self, batch: Any, batch_idx: int, dataloader_idx: int = 0):
        """Called before ``validation_step``."""

    def on_validation_batch_end(
        self, outputs: Any, batch: Any, batch_idx: int, dataloader_idx: int = 0
    ) -> None:
        """Called after ``validation_step``."""

    def on_test_batch_start(self, batch: Any, batch_idx: int, dataloader_idx: int = 0) -> None:
        """Called before ``test_step``."""

    def on_test_batch_end(
        self, outputs: Any, batch: Any, batch_idx: int, dataloader_idx: int = 0
    ) -> None:
        """Called after ``test_step``."""

    def on_predict_batch_start(self, batch: Any, batch_idx: int, dataloader_idx: int = 0):
        """Called before ``predict_step``."""

    def on_predict_batch_end(
        self, outputs: Any, batch: Any, batch_idx: int, dataloader_idx: int = 0
    ) -> None:
        """Called after ``predict_step``."""

    def on_validation_model_zero_grad(self) -> None:
        """Called when validation starts inside fit: clears the gradients."""
        self.zero_grad(set_to_none=True)

    def on_validation_model_eval(self) -> None:
        """Called when validation starts: puts the model in eval mode."""
        self.trainer.lightning_module.eval()

    def on_validation_model_train(self) -> None:
        """Called when validation ends inside fit: back to train mode."""
        self.trainer.lightning_module.train()

    def on_test_model_eval(self) -> None:
        """Called when testing starts: puts the model in eval mode."""
        self.trainer.lightning_module.eval()

    def on_test_model_train(self) -> None:
        """Called when testing ends: back to train mode."""
        self.trainer.lightning_module.train()

    def on_predict_model_eval(self) -> None:
        """Called when predicting starts: puts the model in eval mode."""
        self.trainer.lightning_module.eval()

    def on_train_epoch_start(self) -> None:
        """Called at the beginning of a training epoch."""

    def on_train_epoch_end(self) -> None:
        """Called at the end of a training epoch (after its validation, as in Lightning)."""

    def on_validation_epoch_start(self) -> None:
        """Called at the beginning of a validation epoch."""

    def on_validation_epoch_end(self) -> None:
        """Called at the end of a validation epoch."""

    def on_test_epoch_start(self) -> None:
        """Called at the beginning of a test epoch."""

    def on_test_epoch_end(self) -> None:
        """Called at the end of a test epoch."""

    def on_predict_epoch_start(self) -> None:
        """Called at the beginning of a predict epoch."""

    def on_predict_epoch_end(self) -> None:
        """Called at the end of a predict epoch."""

    def on_before_zero_grad(self, optimizer) -> None:
        """Called before ``optimizer.zero_grad()``."""

    def on_before_backward(self, loss) -> None:
        """Called before ``loss.backward()``."""

    def on_after_backward(self) -> None:
        """Called after ``loss.backward()`` (gradients are available), before the step."""

    def on_before_optimizer_step(self, optimizer) -> None:
        """Called before the optimizer step, after accumulation and before clipping."""

    def configure_model(self) -> None:
        """Called in fit/validate/test/predict before the optimizers are made: build layers
        here to create them lazily."""


class DataHooks:
    """Hooks that provide the data and move batches to the device."""

    prepare_data_per_node: bool = True

    def prepare_data(self) -> None:
        """Download or prepare data once (no state should be set here)."""

    def setup(self, stage: str) -> None:
        """Called at the beginning of fit, validate, test or predict (``stage``)."""

    def teardown(self, stage: str) -> None:
        """Called at the end of fit, validate, test or predict (``stage``)."""

    def train_dataloader(self):
        """The training DataLoader."""
        raise MisconfigurationException(
            f"`train_dataloader` must be implemented in {type(self).__name__} to be used with "
            "the Trainer"
        )

    def val_dataloader(self):
        """The validation DataLoader (or a list of them)."""
        raise MisconfigurationException(
            f"`val_dataloader` must be implemented in {type(self).__name__} to be used with "
            "the Trainer"
        )

    def test_dataloader(self):
        """The test DataLoader (or a list of them)."""
        raise MisconfigurationException(
            f"`test_dataloader` must be implemented in {type(self).__name__} to be used with "
            "the Trainer"
        )

    def predict_dataloader(self):
        """The prediction DataLoader (or a list of them)."""
        raise MisconfigurationException(
            f"`predict_dataloader` must be implemented in {type(self).__name__} to be used "
            "with the Trainer"
        )

    def transfer_batch_to_device(self, batch: Any, device, dataloader_idx: int) -> Any:
        """Move every tensor of ``batch`` (nested lists, tuples, dicts) to ``device``."""
        from ..utilities.data import move_data_to_device

        return move_data_to_device(batch, device)

    def on_before_batch_transfer(self, batch: Any, dataloader_idx: int) -> Any:
        """Alter ``batch`` before it is moved to the device; returns the batch."""
        return batch

    def on_after_batch_transfer(self, batch: Any, dataloader_idx: int) -> Any:
        """Alter ``batch`` after it was moved to the device; returns the batch."""
        return batch


class CheckpointHooks:
    """Hooks that add to or read from checkpoints."""

    def on_save_checkpoint(self, checkpoint: dict[str, Any]) -> None:
        """Called when a checkpoint is written; may add entries to ``checkpoint``."""

    def on_load_checkpoint(self, checkpoint: dict[str, Any]) -> None:
        """Called when a checkpoint is loaded, before the state dict is restored."""

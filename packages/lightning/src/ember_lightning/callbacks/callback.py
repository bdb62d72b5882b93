"""``Callback``: the base class of the trainer's plug-ins, with every hook as a no-op.

The hooks and their arguments are Lightning's, so callbacks written for Lightning run after
changing the imports. The trainer calls each hook on every callback, in the order of
``trainer.callbacks``: the callbacks given to the Trainer, then the built-in ones it adds
(timer, progress bar, model summary), with checkpoint callbacks moved last; at the moments
listed in the documentation's hook-order table (docs/lightning.md).
"""

from __future__ import annotations

__all__ = ["Callback"]


class Callback:
    """Base class of callbacks: subclass it and override the hooks you need.

    ``state_dict`` / ``load_state_dict`` carry a callback's state through checkpoints;
    ``state_key`` tells instances apart there (override it when one callback class may appear
    twice with different settings).

    Example:
        >>> class PrintEpochs(Callback):
        ...     def on_train_epoch_end(self, trainer, pl_module):
        ...         print("epoch", trainer.current_epoch, "done")
    """

    @property
    def state_key(self) -> str:
        """The key of this callback's state in a checkpoint's ``"callbacks"`` dict."""
        return type(self).__qualname__

    def _generate_state_key(self, **kwargs) -> str:
        """A state key that includes the given settings (for callbacks used more than once)."""
        return f"{type(self).__qualname__}{kwargs!r}"

    # -- setup and teardown -------------------------------------------------------------------
    def setup(self, trainer, pl_module, stage: str) -> None:
        """Called when fit, validate, test or predict begins (``stage``: "fit", ...)."""

    def teardown(self, trainer, pl_module, stage: str) -> None:
        """Called when fit, validate, test or predict ends."""

    # -- fit --------------------------------------------------------------------------------
    def on_fit_start(self, trainer, pl_module) -> None:
        """Called when fit begins."""

    def on_fit_end(self, trainer, pl_module) -> None:
        """Called when fit ends."""

    def on_sanity_check_start(self, trainer, pl_module) -> None:
        """Called when the validation sanity check starts."""

    def on_sanity_check_end(self, trainer, pl_module) -> None:
        """Called when the validation sanity check ends."""

    def on_train_start(self, trainer, pl_module) -> None:
        """Called when the train loop begins."""

    def on_train_end(self, trainer, pl_module) -> None:
        """Called when the train loop ends."""

    def on_train_epoch_start(self, trainer, pl_module) -> None:
        """Called when a training epoch begins."""

    def on_train_epoch_end(self, trainer, pl_module) -> None:
        """Called when a training epoch ends (after validation, as in Lightning)."""

    def on_train_batch_start(self, trainer, pl_module, batch, batch_idx: int) -> None:
        """Called before a training batch."""

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx: int) -> None:
        """Called after a training batch (``outputs``: what training_step returned)."""

    # -- evaluation ----------------------------------------------------------------------------
    def on_validation_start(self, trainer, pl_module) -> None:
        """Called when a validation run begins."""

    def on_validation_end(self, trainer, pl_module) -> None:
        """Called when a validation run ends."""

    def on_validation_epoch_start(self, trainer, pl_module) -> None:
        """Called when a validation epoch begins."""

    def on_validation_epoch_end(self, trainer, pl_module) -> None:
        """Called when a validation epoch ends."""

    def on_validation_batch_start(
        self, trainer, pl_module, batch, batch_idx: int, dataloader_idx: int = 0
    ) -> None:
        """Called before a validation batch."""

    def on_validation_batch_end(
        self, trainer, pl_module, outputs, batch, batch_idx: int, dataloader_idx: int = 0
    ) -> None:
        """Called after a validation batch."""

    def on_test_start(self, trainer, pl_module) -> None:
        """Called when testing begins."""

    def on_test_end(self, trainer, pl_module) -> None:
        """Called when testing ends."""

    def on_test_epoch_start(self, trainer, pl_module) -> None:
        """Called when a test epoch begins."""

    def on_test_epoch_end(self, trainer, pl_module) -> None:
        """Called when a test epoch ends."""

    def on_test_batch_start(
        self, trainer, pl_module, batch, batch_idx: int, dataloader_idx: int = 0
    ) -> None:
        """Called before a test batch."""

    def on_test_batch_end(
        self, trainer, pl_module, outputs, batch, batch_idx: int, dataloader_idx: int = 0
    ) -> None:
        """Called after a test batch."""

    def on_predict_start(self, trainer, pl_module) -> None:
        """Called when prediction begins."""

    def on_predict_end(self, trainer, pl_module) -> None:
        """Called when prediction ends."""

    def on_predict_epoch_start(self, trainer, pl_module) -> None:
        """Called when a prediction epoch begins."""

    def on_predict_epoch_end(self, trainer, pl_module) -> None:
        """Called when a prediction epoch ends."""

    def on_predict_batch_start(
        self, trainer, pl_module, batch, batch_idx: int, dataloader_idx: int = 0
    ) -> None:
        """Called before a prediction batch."""

    def on_predict_batch_end(
        self, trainer, pl_module, outputs, batch, batch_idx: int, dataloader_idx: int = 0
    ) -> None:
        """Called after a prediction batch."""

    # -- optimisation ---------------------------------------------------------------------------
    def on_before_backward(self, trainer, pl_module, loss) -> None:
        """Called before ``loss.backward()``."""

    def on_after_backward(self, trainer, pl_module) -> None:
        """Called after ``loss.backward()``, before the optimizer step."""

    def on_before_optimizer_step(self, trainer, pl_module, optimizer) -> None:
        """Called before ``optimizer.step()`` (after gradient accumulation, before clipping)."""

    def on_before_zero_grad(self, trainer, pl_module, optimizer) -> None:
        """Called before ``optimizer.zero_grad()``."""

    # -- checkpoints and exceptions -------------------------------------------------------------
    def on_save_checkpoint(self, trainer, pl_module, checkpoint: dict) -> None:
        """Called when a checkpoint is saved; may add entries to ``checkpoint``."""

    def on_load_checkpoint(self, trainer, pl_module, checkpoint: dict) -> None:
        """Called when a checkpoint is loaded."""

    def on_exception(self, trainer, pl_module, exception: BaseException) -> None:
        """Called when fit, validate, test or predict raises."""

    def state_dict(self) -> dict:
        """This callback's state, saved in checkpoints."""
        return {}

    def load_state_dict(self, state_dict: dict) -> None:
        """Restore the state returned by ``state_dict``."""

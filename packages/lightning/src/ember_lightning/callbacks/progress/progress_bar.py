"""``ProgressBar``: the base class of progress-bar callbacks.

It keeps the trainer reference and answers the questions every bar asks: how many batches
this epoch / this validation run / this dataloader has, and which metrics to show (the
progress-bar metrics logged with ``prog_bar=True`` plus ``v_num``, the logger's version).
"""

from __future__ import annotations

import math
import warnings
from typing import Any

from ..callback import Callback

__all__ = ["ProgressBar", "get_standard_metrics"]


class ProgressBar(Callback):
    r"""Base class of progress bars; subclasses draw, this class counts.

    Subclasses implement the hooks they draw in and check :attr:`is_enabled` there;
    :meth:`disable` is called on processes other than the main one.

    Example:
        >>> class PercentBar(ProgressBar):
        ...     def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx):
        ...         if self.is_enabled:
        ...             print(f"{100 * (batch_idx + 1) / self.total_train_batches:.0f}%")
    """

    def __init__(self) -> None:
        self._trainer = None
        self._current_eval_dataloader_idx: int | None = None
        self._stage: str | None = None
        self._enabled = True

    @property
    def trainer(self):
        """The trainer this bar is attached to (set in ``setup``)."""
        if self._trainer is None:
            raise TypeError(f"The `{type(self).__name__}._trainer` reference has not been set yet.")
        return self._trainer

    # -- descriptions ---------------------------------------------------------------------------
    @property
    def sanity_check_description(self) -> str:
        return "Sanity Checking"

    @property
    def train_description(self) -> str:
        return "Training"

    @property
    def validation_description(self) -> str:
        return "Validation"

    @property
    def test_description(self) -> str:
        return "Testing"

    @property
    def predict_description(self) -> str:
        return "Predicting"

    # -- batch counts ---------------------------------------------------------------------------
    @property
    def total_train_batches(self) -> int | float:
        """Training batches this epoch (``inf`` for an endless loader); with ``max_epochs=-1``
        and ``max_steps`` set, no more than the steps left."""
        trainer = self.trainer
        if trainer.max_epochs == -1 and trainer.max_steps is not None and trainer.max_steps > 0:
            remaining = trainer.max_steps - trainer.global_step
            return min(trainer.num_training_batches, remaining)
        return trainer.num_training_batches

    @property
    def total_val_batches_current_dataloader(self) -> int | float:
        """Batches of the validation dataloader being run (sanity check included)."""
        trainer = self.trainer
        if trainer.sanity_checking:
            batches = trainer.num_sanity_val_batches
        else:
            batches = trainer.num_val_batches
        return self._current_entry(batches)

    @property
    def total_test_batches_current_dataloader(self) -> int | float:
        """Batches of the test dataloader being run."""
        return self._current_entry(self.trainer.num_test_batches)

    @property
    def total_predict_batches_current_dataloader(self) -> int | float:
        """Batches of the predict dataloader being run."""
        return self._current_entry(self.trainer.num_predict_batches)

    @property
    def total_val_batches(self) -> int | float:
        """Validation batches of one validation run over all dataloaders, or 0 when this epoch
        does not validate (``check_val_every_n_epoch``)."""
        trainer = self.trainer
        every = trainer.check_val_every_n_epoch  # None: validation counted in steps
        if every is not None and (trainer.current_epoch + 1) % every != 0:
            return 0
        batches = trainer.num_val_batches
        return sum(batches) if isinstance(batches, (list, tuple)) else batches

    @property
    def total_batches_current_epoch(self) -> int | float:
        """Training batches plus those of every validation run inside this epoch: the length
        of the main bar."""
        train = self.total_train_batches
        val = self.total_val_batches
        if val and not math.isinf(train) and not math.isinf(val):
            val_check_batch = self.trainer.val_check_batch or train
            if math.isinf(val_check_batch):
                val_check_batch = train
            val = val * (int(train) // int(val_check_batch))
        return train + val

    def _current_entry(self, batches) -> int | float:
        if isinstance(batches, (list, tuple)):
            index = self._current_eval_dataloader_idx or 0
            return batches[index] if index < len(batches) else 0
        return batches

    def has_dataloader_changed(self, dataloader_idx: int) -> bool:
        """Record ``dataloader_idx`` as current; ``True`` when it differs from the last one."""
        old = self._current_eval_dataloader_idx
        self._current_eval_dataloader_idx = dataloader_idx
        return old != dataloader_idx

    def reset_dataloader_idx_tracker(self) -> None:
        self._current_eval_dataloader_idx = None

    # -- switching on and off ---------------------------------------------------------------------
    @property
    def is_enabled(self) -> bool:
        """Whether the bar draws."""
        return self._enabled

    @property
    def is_disabled(self) -> bool:
        return not self.is_enabled

    def disable(self) -> None:
        """Stop drawing (the trainer does so on processes other than the main one)."""
        self._enabled = False

    def enable(self) -> None:
        """Resume drawing."""
        self._enabled = True

    def print(self, *args: Any, **kwargs: Any) -> None:
        """Print without breaking the bars (subclasses route it through the active bar)."""
        print(*args, **kwargs)

    def setup(self, trainer, pl_module, stage: str) -> None:
        self._trainer = trainer
        self._stage = stage
        if not trainer.is_global_zero:
            self.disable()

    def get_metrics(self, trainer, pl_module) -> dict[str, int | str | float]:
        r"""The items shown beside the bar: ``v_num`` and the ``prog_bar=True`` metrics.

        Override it to change what is shown, e.g. to drop the version number::

            def get_metrics(self, trainer, pl_module):
                items = super().get_metrics(trainer, pl_module)
                items.pop("v_num", None)
                return items
        """
        standard = get_standard_metrics(trainer)
        progress = dict(trainer.progress_bar_metrics)
        duplicates = sorted(standard.keys() & progress.keys())
        if duplicates:
            warnings.warn(
                f"The progress bar already tracks a metric with the name(s) "
                f"'{', '.join(duplicates)}' and `self.log('{duplicates[0]}', ..., prog_bar=True)` "
                "will overwrite this value. If this is undesired, change the name or override "
                "`get_metrics()` in the progress bar callback.",
                stacklevel=2,
            )
        return {**standard, **progress}


def get_standard_metrics(trainer) -> dict[str, int | str]:
    """``{"v_num": version}`` when the trainer has a logger with a version, else ``{}``.

    String versions are cut to their last 4 characters, as Lightning shows them.
    """
    items: dict[str, int | str] = {}
    if trainer.loggers:
        from ...loggers.logger import _version

        version = _version(trainer.loggers)
        if version not in ("", None):
            if isinstance(version, str):
                version = version[-4:]
            items["v_num"] = version
    return items

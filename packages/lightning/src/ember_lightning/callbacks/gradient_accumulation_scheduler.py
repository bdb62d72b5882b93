"""``GradientAccumulationScheduler``: change ``accumulate_grad_batches`` by epoch."""

from __future__ import annotations

from ..utilities.exceptions import MisconfigurationException
from .callback import Callback

__all__ = ["GradientAccumulationScheduler"]


class GradientAccumulationScheduler(Callback):
    """Accumulate gradients over a number of batches that depends on the epoch.

    Args:
        scheduling: ``{first_epoch: factor}``; from epoch ``first_epoch`` (0-based) on, the
            optimizer steps every ``factor`` batches. Epochs before the first key use 1.

    Example:
        >>> scheduler = GradientAccumulationScheduler(scheduling={4: 2, 8: 4})
        >>> [scheduler.get_accumulate_grad_batches(e) for e in (0, 4, 7, 8, 20)]
        [1, 2, 2, 4, 4]
    """

    def __init__(self, scheduling: dict[int, int]) -> None:
        if not scheduling:
            raise TypeError("Empty dict cannot be interpreted correct")
        for key, value in scheduling.items():
            if not isinstance(key, int) or key < 0:
                raise MisconfigurationException(
                    f"Epoch should be an int >= 0, got {key!r} in scheduling={scheduling}"
                )
            if not isinstance(value, int) or value < 1:
                raise MisconfigurationException(
                    f"Accumulation factor should be an int > 0, got {value!r} for epoch {key}"
                )
        self.scheduling = dict(sorted({0: 1, **scheduling}.items()))
        self.epochs = sorted(self.scheduling)
        self._set_by_self = False  # trainer.accumulate_grad_batches now holds our value

    def going_to_accumulate_grad_batches(self) -> bool:
        """Whether any epoch accumulates over more than one batch."""
        return any(v > 1 for v in self.scheduling.values())

    def get_accumulate_grad_batches(self, epoch: int) -> int:
        """The factor used in ``epoch``."""
        factor = 1
        for first_epoch in self.epochs:
            if epoch >= first_epoch:
                factor = self.scheduling[first_epoch]
        return factor

    def on_train_start(self, trainer, pl_module) -> None:
        if not pl_module.automatic_optimization:
            raise RuntimeError(
                "Automatic gradient accumulation and the `GradientAccumulationScheduler` is not "
                "supported for manual optimization. Please remove the callback or switch to "
                "automatic optimization."
            )
        if trainer.accumulate_grad_batches != 1 and not self._set_by_self:
            raise ValueError(
                "You have set `accumulate_grad_batches` and are using the "
                "`GradientAccumulationScheduler` callback. Either remove `accumulate_grad_batches` "
                "from the Trainer or remove the callback."
            )

    def on_train_epoch_start(self, trainer, pl_module) -> None:
        trainer.accumulate_grad_batches = self.get_accumulate_grad_batches(trainer.current_epoch)
        self._set_by_self = True

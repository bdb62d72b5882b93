"""``StochasticWeightAveraging``: average the weights of the last epochs (SWA).

From epoch ``swa_epoch_start`` on, the learning rate follows ``ember.optim.swa_utils.SWALR``
towards ``swa_lrs`` and, at the end of each epoch, the weights are folded into an
``AveragedModel``. When training ends the model receives the averaged weights, and the
BatchNorm statistics are recomputed with one pass over the training data (``update_bn``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..utilities.exceptions import MisconfigurationException
from .callback import Callback

__all__ = ["StochasticWeightAveraging"]


class StochasticWeightAveraging(Callback):
    r"""Stochastic Weight Averaging (Izmailov et al., 2018).

    Args:
        swa_lrs: the SWA learning rate: one float for all parameter groups, or one per group.
        swa_epoch_start: the epoch where averaging starts: an int (1-based, as Lightning) or
            a float fraction of ``max_epochs`` (default 0.8).
        annealing_epochs: epochs of the learning-rate annealing towards ``swa_lrs``.
        annealing_strategy: "cos" or "linear".
        avg_fn: ``avg_fn(averaged, current, n_averaged)``; default: the running mean.
        device: where to keep the averaged copy (default: the model's device).

    Example:
        >>> swa = StochasticWeightAveraging(swa_lrs=0.05, swa_epoch_start=3)
        >>> swa.swa_lrs
        0.05
    """

    def __init__(
        self,
        swa_lrs: float | list[float],
        swa_epoch_start: int | float = 0.8,
        annealing_epochs: int = 10,
        annealing_strategy: str = "cos",
        avg_fn: Callable | None = None,
        device: Any = None,
    ) -> None:
        wrong_int = isinstance(swa_epoch_start, int) and swa_epoch_start < 1
        wrong_float = isinstance(swa_epoch_start, float) and not 0 <= swa_epoch_start <= 1
        if wrong_int or wrong_float or isinstance(swa_epoch_start, bool):
            raise MisconfigurationException(
                f"SWA: swa_epoch_start={swa_epoch_start!r}: should be an int > 0 or a float "
                "between 0 and 1."
            )
        lrs = swa_lrs if isinstance(swa_lrs, (list, tuple)) else [swa_lrs]
        if not all(isinstance(lr, (int, float)) and lr > 0 for lr in lrs):
            raise MisconfigurationException(
                f"SWA: swa_lrs={swa_lrs!r}: the learning rates should be positive floats"
            )
        if not isinstance(annealing_epochs, int) or annealing_epochs < 1:
            raise MisconfigurationException(
                f"SWA: annealing_epochs={annealing_epochs!r}: should be an int > 0"
            )
        if annealing_strategy not in ("cos", "linear"):
            raise MisconfigurationException(
                f"SWA: annealing_strategy={annealing_strategy!r}: should be 'cos' or 'linear'"
            )
        self.swa_lrs = swa_lrs
        self._swa_epoch_start = swa_epoch_start
        self._annealing_epochs = annealing_epochs
        self._annealing_strategy = annealing_strategy
        self._avg_fn = avg_fn
        self._device = device
        self._average_model = None
        self._scheduler = None
        self._initialized = False
        self._latest_update_epoch = -1
        self._pending_state: dict | None = None
        self._max_epochs = 0
        self._swa_epoch_start_epoch = swa_epoch_start if isinstance(swa_epoch_start, int) else 0

    @property
    def swa_start(self) -> int:
        """The first averaged epoch (0-based)."""
        return max(self._swa_epoch_start_epoch - 1, 0)

    @property
    def swa_end(self) -> int:
        return self._max_epochs - 1

    @property
    def n_averaged(self) -> int:
        """How many epochs' weights the average holds."""
        return 0 if self._average_model is None else int(self._average_model.n_averaged.item())

    @property
    def average_model(self):
        """The ``ember.optim.swa_utils.AveragedModel`` (None before fit)."""
        return self._average_model

    def on_fit_start(self, trainer, pl_module) -> None:
        from ember.optim.swa_utils import AveragedModel

        if len(trainer.optimizers) != 1:
            raise MisconfigurationException("SWA currently works with 1 `optimizer`.")
        if len(trainer.lr_scheduler_configs) > 1:
            raise MisconfigurationException(
                "SWA currently not supported for more than 1 `lr_scheduler`."
            )
        if trainer.max_epochs == -1:
            raise MisconfigurationException("SWA needs `max_epochs` to know where it ends.")
        self._max_epochs = trainer.max_epochs
        start = self._swa_epoch_start
        if isinstance(start, float):
            self._swa_epoch_start_epoch = int(trainer.max_epochs * start)
        # the copy is made now, after the model was converted and moved by the trainer
        self._average_model = AveragedModel(pl_module, device=self._device, avg_fn=self._avg_fn)
        if self._pending_state is not None:
            self._average_model.load_state_dict(self._pending_state["average_model_state"])

    def on_train_epoch_start(self, trainer, pl_module) -> None:
        if self._initialized or not self.swa_start <= trainer.current_epoch <= self.swa_end:
            return
        from ember.optim.swa_utils import SWALR

        from ..trainer.optimizers import LRSchedulerConfig

        self._initialized = True
        optimizer = trainer.optimizers[0]
        lrs = self.swa_lrs if isinstance(self.swa_lrs, (list, tuple)) else [self.swa_lrs]
        if len(lrs) not in (1, len(optimizer.param_groups)):
            raise MisconfigurationException(
                f"SWA: {len(lrs)} swa_lrs for {len(optimizer.param_groups)} parameter groups"
            )
        for group in optimizer.param_groups:
            group["initial_lr"] = group["lr"]  # SWALR anneals from the current rate
        self._scheduler = SWALR(
            optimizer,
            swa_lr=self.swa_lrs,
            anneal_epochs=self._annealing_epochs,
            anneal_strategy=self._annealing_strategy,
        )
        if self._pending_state is not None and self._pending_state.get("scheduler_state"):
            self._scheduler.load_state_dict(self._pending_state["scheduler_state"])
        config = LRSchedulerConfig(self._scheduler)
        if trainer.lr_scheduler_configs:
            trainer.lr_scheduler_configs[0] = config
        else:
            trainer.lr_scheduler_configs.append(config)

    def on_train_epoch_end(self, trainer, pl_module) -> None:
        epoch = trainer.current_epoch
        if self.swa_start <= epoch <= self.swa_end and epoch > self._latest_update_epoch:
            self._average_model.update_parameters(pl_module)
            self._latest_update_epoch = epoch

    def on_train_end(self, trainer, pl_module) -> None:
        if self.n_averaged == 0:
            return
        from ember import no_grad
        from ember.optim.swa_utils import update_bn

        with no_grad():
            for averaged, param in zip(
                self._average_model.module.parameters(), pl_module.parameters()
            ):
                param.copy_(averaged.detach().to(param.device))
        loader = trainer.train_dataloader
        if loader is not None:
            from ..utilities.data import move_data_to_device

            convert = trainer.precision_plugin.convert_input
            batches = (convert(move_data_to_device(b, trainer.root_device)) for b in loader)
            update_bn(batches, pl_module)

    def state_dict(self) -> dict[str, Any]:
        if self._average_model is None:
            return {}
        return {
            "n_averaged": self.n_averaged,
            "latest_update_epoch": self._latest_update_epoch,
            "scheduler_state": None if self._scheduler is None else self._scheduler.state_dict(),
            "average_model_state": self._average_model.state_dict(),
        }

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        self._latest_update_epoch = state_dict["latest_update_epoch"]
        self._pending_state = state_dict  # applied in on_fit_start, once the copy exists

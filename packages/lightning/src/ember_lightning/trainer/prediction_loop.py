"""The prediction loop: ``predict_step`` over the predict dataloaders, gradients off.

Order: ``on_predict_model_eval``, ``on_predict_start``, ``on_predict_epoch_start``, per batch
``on_predict_batch_start``, ``predict_step``, ``on_predict_batch_end``, then
``on_predict_epoch_end`` and ``on_predict_end``.
"""

from __future__ import annotations

import math

from .call import call_callbacks, call_module
from .data_connector import num_batches

__all__ = ["PredictionLoop"]


class PredictionLoop:
    """Runs ``predict_step`` and collects what it returns."""

    def __init__(self, trainer) -> None:
        self.trainer = trainer
        self.dataloaders: list | None = None
        self.max_batches: list = []
        self.return_predictions = True

    def reset(self) -> None:
        self.dataloaders = None
        self.max_batches = []

    def setup_data(self) -> None:
        if self.dataloaders is not None:
            return
        trainer = self.trainer
        self.dataloaders = trainer._data.request("predict")
        self.max_batches = [
            num_batches(dl, trainer.limit_predict_batches, "predict") for dl in self.dataloaders
        ]

    def run(self):
        """Predictions: a list per dataloader (one list when there is one dataloader)."""
        trainer = self.trainer
        self.setup_data()
        if sum(self.max_batches) == 0:
            return [] if self.return_predictions else None
        pl_module = trainer.lightning_module
        several = len(self.dataloaders) > 1
        call_module(trainer, "on_predict_model_eval")
        call_callbacks(trainer, "on_predict_start")
        call_module(trainer, "on_predict_start")
        call_callbacks(trainer, "on_predict_epoch_start")
        call_module(trainer, "on_predict_epoch_start")
        all_predictions = []
        with trainer._evaluation_context():
            for dataloader_idx, (loader, limit) in enumerate(
                zip(self.dataloaders, self.max_batches)
            ):
                pl_module._current_dataloader_idx = dataloader_idx if several else None
                all_predictions.append(self._run_dataloader(loader, limit, dataloader_idx, several))
        pl_module._current_dataloader_idx = None
        call_callbacks(trainer, "on_predict_epoch_end")
        call_module(trainer, "on_predict_epoch_end")
        call_callbacks(trainer, "on_predict_end")
        call_module(trainer, "on_predict_end")
        if not self.return_predictions:
            return None
        return all_predictions if several else all_predictions[0]

    def _run_dataloader(self, loader, limit, dataloader_idx: int, several: bool) -> list:
        trainer = self.trainer
        extra = (dataloader_idx,) if several else ()
        step_kwargs = {"dataloader_idx": dataloader_idx} if several else {}
        predictions = []
        if limit == 0:
            return predictions
        for batch_idx, batch in enumerate(loader):
            batch = trainer._data.transfer_batch(batch, dataloader_idx)
            call_callbacks(trainer, "on_predict_batch_start", batch, batch_idx, *extra)
            call_module(trainer, "on_predict_batch_start", batch, batch_idx, *extra)
            with trainer.precision_plugin.forward_context():
                output = call_module(trainer, "predict_step", batch, batch_idx, **step_kwargs)
            call_callbacks(trainer, "on_predict_batch_end", output, batch, batch_idx, *extra)
            call_module(trainer, "on_predict_batch_end", output, batch, batch_idx, *extra)
            if self.return_predictions:
                predictions.append(output)
            if not math.isinf(limit) and batch_idx + 1 >= limit:
                break
        return predictions

"""The validation and test loops (one class, ``stage`` "validation" or "test").

One run: ``on_{stage}_model_eval``, ``on_{stage}_start``, ``on_{stage}_epoch_start``, for
each dataloader and batch the batch hooks around ``{stage}_step``, ``on_{stage}_epoch_end``,
publishing the epoch metrics, ``on_{stage}_end``, ``on_{stage}_model_train``. It runs with
gradients off (``ember.inference_mode`` or ``ember.no_grad``, per ``Trainer(inference_mode)``).
"""

from __future__ import annotations

import math

from .call import call_callbacks, call_module
from .data_connector import num_batches
from .result import ResultCollection

__all__ = ["EvaluationLoop"]


class EvaluationLoop:
    """Validation (``stage="validation"``) or test (``stage="test"``) runs."""

    def __init__(self, trainer, stage: str) -> None:
        self.trainer = trainer
        self.stage = stage
        self.results = ResultCollection(training=False)
        self.dataloaders: list | None = None
        self.max_batches: list = []
        self._has_run = False

    @property
    def _data_stage(self) -> str:
        return "val" if self.stage == "validation" else "test"

    def setup_data(self) -> None:
        """Request the dataloaders once and measure them under ``limit_*_batches``."""
        trainer = self.trainer
        if self.dataloaders is not None:
            return
        stage = self._data_stage
        self.dataloaders = trainer._data.request(stage)
        limit = trainer.limit_val_batches if stage == "val" else trainer.limit_test_batches
        self.max_batches = [num_batches(dl, limit, stage) for dl in self.dataloaders]

    def reset(self) -> None:
        """Forget the dataloaders (a new fit / validate / test call requests them again)."""
        self.dataloaders = None
        self.max_batches = []
        self._has_run = False

    def batches_for_this_run(self) -> list:
        trainer = self.trainer
        if not trainer.sanity_checking:
            return self.max_batches
        steps = trainer.num_sanity_val_steps
        return [n if steps == -1 else min(n, steps) for n in self.max_batches]

    def run(self) -> list[dict[str, float]]:
        """One pass over the dataloaders; returns the epoch metrics per dataloader."""
        trainer = self.trainer
        self.setup_data()
        limits = self.batches_for_this_run()
        if sum(limits) == 0:
            return []
        pl_module = trainer.lightning_module
        stage = self.stage
        call_module(trainer, f"on_{stage}_model_eval")
        call_callbacks(trainer, f"on_{stage}_start")
        call_module(trainer, f"on_{stage}_start")
        self.results.reset()
        previous_results = trainer._results
        trainer._results = self.results
        call_callbacks(trainer, f"on_{stage}_epoch_start")
        call_module(trainer, f"on_{stage}_epoch_start")
        several = len(self.dataloaders) > 1
        with trainer._evaluation_context():
            for dataloader_idx, (loader, limit) in enumerate(zip(self.dataloaders, limits)):
                pl_module._current_dataloader_idx = dataloader_idx if several else None
                self._run_dataloader(loader, limit, dataloader_idx, several)
        pl_module._current_dataloader_idx = None
        call_callbacks(trainer, f"on_{stage}_epoch_end")
        call_module(trainer, f"on_{stage}_epoch_end")
        output = trainer._logger_connector.update_eval_epoch_metrics(
            self.results, len(self.dataloaders)
        )
        call_callbacks(trainer, f"on_{stage}_end")
        call_module(trainer, f"on_{stage}_end")
        call_module(trainer, f"on_{stage}_model_train")
        trainer._results = previous_results
        self._has_run = True
        return output

    def _run_dataloader(self, loader, limit, dataloader_idx: int, several: bool) -> None:
        trainer = self.trainer
        stage = self.stage
        extra = (dataloader_idx,) if several else ()
        step_kwargs = {"dataloader_idx": dataloader_idx} if several else {}
        if limit == 0:
            return
        for batch_idx, batch in enumerate(loader):
            batch = trainer._data.transfer_batch(batch, dataloader_idx)
            trainer._current_batch = batch
            call_callbacks(trainer, f"on_{stage}_batch_start", batch, batch_idx, *extra)
            call_module(trainer, f"on_{stage}_batch_start", batch, batch_idx, *extra)
            with trainer.precision_plugin.forward_context():
                output = call_module(trainer, f"{stage}_step", batch, batch_idx, **step_kwargs)
            call_callbacks(trainer, f"on_{stage}_batch_end", output, batch, batch_idx, *extra)
            call_module(trainer, f"on_{stage}_batch_end", output, batch, batch_idx, *extra)
            trainer._logger_connector.update_eval_step_metrics(self.results)
            trainer._current_batch = None
            if not math.isinf(limit) and batch_idx + 1 >= limit:
                break

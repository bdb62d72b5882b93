"""``Trainer``: runs fit / validate / test / predict for a LightningModule.

How a ``fit`` call unfolds (every step is a method below or a loop in this package):

1. ``strategy.setup_environment()`` (DDP: join the process group); attach the model,
   datamodule and dataloaders; merge ``configure_callbacks()``;
2. ``prepare_data``, then ``setup("fit")`` (datamodule, callbacks, module), ``configure_model``;
3. precision conversion and move to the device; load ``ckpt_path`` (weights, callbacks);
4. ``strategy.setup_module`` (DDP: wrap the module), ``configure_optimizers``;
   ``on_fit_start``; hyperparameters to the loggers; restore the optimizers, schedulers and
   loop progress from the checkpoint;
5. the sanity check (a few validation batches, random states isolated), then the fit loop
   (:mod:`.fit_loop`, :mod:`.training_epoch_loop`, :mod:`.evaluation_loop`);
6. ``on_fit_end``, ``teardown("fit")``, ``logger.finalize("success")``; then (also after an
   exception) ``strategy.teardown()``.

validate / test / predict follow steps 1-3 and 6 with their own loop.

Everything that differs between one process and several goes through ``self.strategy``
(:mod:`ember_lightning.strategies`): the ranks, the training step, the dataloaders, the
reductions of logged values, and the agreement of the ranks on checkpoints and stopping.
Loggers, checkpoint files and printed results are rank 0's alone.
"""

from __future__ import annotations

import contextlib
import math
import os
from datetime import timedelta
from typing import Any

from ..core.module import LightningModule
from ..utilities.exceptions import MisconfigurationException
from .call import call_callbacks, call_datamodule, call_module, is_overridden
from .callback_connector import attach_model_callbacks, build_callbacks
from .checkpoint_connector import CheckpointConnector, _rng_states, _set_rng_states
from .data_connector import DataConnector, check_limit, num_batches, sequential_loader
from .evaluation_loop import EvaluationLoop
from .fit_loop import FitLoop
from .logger_connector import LoggerConnector
from .optimization import Optimization
from .optimizers import init_optimizers
from .precision import resolve_precision
from .prediction_loop import PredictionLoop
from .states import RunningStage, TrainerFn, TrainerState, TrainerStatus
from .strategy_connector import resolve_strategy

__all__ = ["Trainer"]


def _check_val_check_interval(value: Any) -> int | float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise MisconfigurationException(
            f"Trainer(val_check_interval={value!r}): expected a float in (0.0, 1.0] (a fraction "
            "of the training epoch) or an int > 0 (a number of training batches)"
        )
    if isinstance(value, int) and value <= 0:
        raise MisconfigurationException(f"Trainer(val_check_interval={value}): must be > 0")
    if isinstance(value, float) and not 0.0 < value <= 1.0:
        raise MisconfigurationException(
            f"Trainer(val_check_interval={value}): a float must be in (0.0, 1.0]; pass an int "
            "to validate every N training batches"
        )
    return value


def _build_loggers(logger: Any, default_root_dir: str) -> list:
    if logger is None or logger is True:
        from ..loggers.csv_logs import CSVLogger

        return [CSVLogger(save_dir=default_root_dir)]
    if logger is False:
        return []
    from ..loggers.logger import Logger

    loggers = list(logger) if isinstance(logger, (list, tuple)) else [logger]
    for item in loggers:
        if not isinstance(item, Logger):
            raise TypeError(
                f"Trainer(logger=...): expected a Logger, a list of them, True or False; got "
                f"{type(item).__name__}"
            )
    return loggers


@contextlib.contextmanager
def _isolate_rng():
    """Run a block without changing the random states of random, NumPy and Ember."""
    states = _rng_states()
    try:
        yield
    finally:
        _set_rng_states(states)


class Trainer:
    """Runs the training, validation, test and prediction loops of a LightningModule.

    All arguments are keyword-only; defaults are Lightning's.

    Args:
        accelerator: "auto" (GPU when available), "cpu" or "gpu" ("cuda").
        strategy: "auto" (default: "ddp" when several processes are asked for or launched,
            else "single_device"), "single_device", "ddp", or a Strategy instance such as
            ``DDPStrategy(find_unused_parameters=True)``. With "ddp" the script runs in
            ``devices * num_nodes`` processes started by ``ember-run --nproc-per-node N`` or
            ``mpiexec -n N`` (see docs/lightning.md, "Multiple processes").
        devices: "auto", a number of devices (processes) per machine, or a list of GPU
            indices.
        num_nodes: the number of machines (default 1).
        precision: "32-true" (default), "64-true", "16-mixed" (GPU) or "bf16-mixed" (GPU, or
            CPU with ml_dtypes): see ``trainer/precision.py``.
        logger: a Logger, a list of them, True (default: a ``CSVLogger`` in
            ``default_root_dir``) or False.
        callbacks: Callbacks to add.
        fast_dev_run: True or N: run N (1) batches of each loop, once, without loggers or
            checkpoints, to check the code runs.
        max_epochs: stop after this many epochs (default 1000 when neither ``max_steps`` nor
            ``max_time`` is set; -1 for no limit).
        min_epochs: do not stop early before this many epochs.
        max_steps: stop after this many optimizer steps (-1: no limit).
        min_steps: do not stop early before this many optimizer steps.
        max_time: stop after this long: "DD:HH:MM:SS", a ``timedelta`` or a dict of its args.
        limit_train_batches, limit_val_batches, limit_test_batches, limit_predict_batches: an
            int (batches) or a float (fraction) of each dataloader to use (default 1.0).
        overfit_batches: train (and validate) on this many batches (int) or this fraction,
            in a fixed order: a quick check that the model can fit a little data.
        val_check_interval: validate every this fraction of an epoch (float) or every this
            many training batches (int); default 1.0.
        check_val_every_n_epoch: validate every N epochs (None: count batches across
            epochs with an int ``val_check_interval``).
        num_sanity_val_steps: validation batches run before training to catch bugs early
            (default 2; -1: all; 0: none).
        log_every_n_steps: send the step metrics to the loggers every N optimizer steps (50).
        enable_checkpointing: add a ``ModelCheckpoint`` when none is given (default True).
        enable_progress_bar: add a ``TQDMProgressBar`` when none is given (default True).
        enable_model_summary: add a ``ModelSummary`` when none is given (default True).
        accumulate_grad_batches: step the optimizer every N batches, with the loss of each
            batch divided by N.
        gradient_clip_val: clip the gradients at this value (None or 0: no clipping).
        gradient_clip_algorithm: "norm" (default) or "value".
        deterministic: ask Ember for deterministic algorithms (True, or "warn").
        inference_mode: evaluate under ``ember.inference_mode`` (True) or ``ember.no_grad``.
        detect_anomaly: run fit with ``ember.autograd.set_detect_anomaly(True)``.
        default_root_dir: where logs and checkpoints go (default: the working directory).

    Example:
        >>> trainer = Trainer(max_epochs=2, enable_progress_bar=False, logger=False,
        ...                   enable_checkpointing=False, enable_model_summary=False)
        >>> trainer.max_epochs
        2
    """

    def __init__(
        self,
        *,
        accelerator: str = "auto",
        strategy: Any = "auto",
        devices: Any = "auto",
        num_nodes: int = 1,
        precision: Any = None,
        logger: Any = None,
        callbacks: Any = None,
        fast_dev_run: int | bool = False,
        max_epochs: int | None = None,
        min_epochs: int | None = None,
        max_steps: int = -1,
        min_steps: int | None = None,
        max_time: str | timedelta | dict | None = None,
        limit_train_batches: int | float | None = None,
        limit_val_batches: int | float | None = None,
        limit_test_batches: int | float | None = None,
        limit_predict_batches: int | float | None = None,
        overfit_batches: int | float = 0.0,
        val_check_interval: int | float | None = None,
        check_val_every_n_epoch: int | None = 1,
        num_sanity_val_steps: int | None = None,
        log_every_n_steps: int | None = None,
        enable_checkpointing: bool | None = None,
        enable_progress_bar: bool | None = None,
        enable_model_summary: bool | None = None,
        accumulate_grad_batches: int = 1,
        gradient_clip_val: float | None = None,
        gradient_clip_algorithm: str | None = None,
        deterministic: bool | str | None = None,
        inference_mode: bool = True,
        detect_anomaly: bool = False,
        default_root_dir: str | os.PathLike | None = None,
    ) -> None:
        self.state = TrainerState()
        self.strategy, self.root_device = resolve_strategy(
            strategy, accelerator, devices, num_nodes
        )
        self.num_nodes = num_nodes
        self.precision_plugin = resolve_precision(
            "32-true" if precision is None else precision, self.root_device
        )
        self.precision = self.precision_plugin.precision
        self._default_root_dir = os.fspath(default_root_dir) if default_root_dir else os.getcwd()

        # -- loop limits ----------------------------------------------------------------------
        if not isinstance(fast_dev_run, bool) and (
            not isinstance(fast_dev_run, int) or fast_dev_run < 0
        ):
            raise MisconfigurationException(
                f"fast_dev_run={fast_dev_run!r} is not a valid configuration. It should be >= 0."
            )
        self.fast_dev_run = fast_dev_run
        if max_epochs is None:
            max_epochs = 1000 if (max_steps == -1 and max_time is None) else -1
        for name, value in (("max_epochs", max_epochs), ("max_steps", max_steps)):
            if not isinstance(value, int) or value < -1:
                raise MisconfigurationException(
                    f"Trainer({name}={value!r}): expected an int >= -1 (-1: no limit)"
                )
        self.fit_loop = FitLoop(self, min_epochs=min_epochs, max_epochs=max_epochs)
        self.fit_loop.epoch_loop.min_steps = min_steps
        self.fit_loop.epoch_loop.max_steps = max_steps
        self.limit_train_batches = check_limit(
            1.0 if limit_train_batches is None else limit_train_batches, "limit_train_batches"
        )
        self.limit_val_batches = check_limit(
            1.0 if limit_val_batches is None else limit_val_batches, "limit_val_batches"
        )
        self.limit_test_batches = check_limit(
            1.0 if limit_test_batches is None else limit_test_batches, "limit_test_batches"
        )
        self.limit_predict_batches = check_limit(
            1.0 if limit_predict_batches is None else limit_predict_batches, "limit_predict_batches"
        )
        self.overfit_batches = check_limit(overfit_batches, "overfit_batches")
        if self.overfit_batches:
            self.limit_train_batches = self.overfit_batches
            self.limit_val_batches = self.overfit_batches
        self.val_check_interval = _check_val_check_interval(
            1.0 if val_check_interval is None else val_check_interval
        )
        if check_val_every_n_epoch is not None and (
            not isinstance(check_val_every_n_epoch, int) or check_val_every_n_epoch < 1
        ):
            raise MisconfigurationException(
                f"Trainer(check_val_every_n_epoch={check_val_every_n_epoch!r}): expected an int "
                ">= 1 or None"
            )
        self.check_val_every_n_epoch = check_val_every_n_epoch
        self.num_sanity_val_steps = 2 if num_sanity_val_steps is None else num_sanity_val_steps
        if not isinstance(self.num_sanity_val_steps, int) or self.num_sanity_val_steps < -1:
            raise MisconfigurationException(
                f"Trainer(num_sanity_val_steps={num_sanity_val_steps!r}): expected an int >= -1"
            )
        if not isinstance(accumulate_grad_batches, int) or accumulate_grad_batches < 1:
            raise MisconfigurationException(
                f"`accumulate_grad_batches` should be an int > 0. Got {accumulate_grad_batches!r}"
            )
        self.accumulate_grad_batches = accumulate_grad_batches
        if gradient_clip_algorithm is not None and gradient_clip_algorithm not in ("norm", "value"):
            raise MisconfigurationException(
                f"`gradient_clip_algorithm` {gradient_clip_algorithm!r} is invalid. Allowed "
                "algorithms: ['value', 'norm']"
            )
        if gradient_clip_val is not None and gradient_clip_val < 0:
            raise MisconfigurationException(
                f"Trainer(gradient_clip_val={gradient_clip_val}): must be >= 0"
            )
        self.gradient_clip_val = gradient_clip_val
        self.gradient_clip_algorithm = gradient_clip_algorithm
        log_every_n_steps = 50 if log_every_n_steps is None else log_every_n_steps
        if not isinstance(log_every_n_steps, int) or log_every_n_steps < 1:
            raise MisconfigurationException(
                f"Trainer(log_every_n_steps={log_every_n_steps!r}): expected an int >= 1"
            )
        self.log_every_n_steps = log_every_n_steps

        # -- behaviour switches -----------------------------------------------------------------
        self._inference_mode = inference_mode
        self._detect_anomaly = detect_anomaly
        if deterministic:
            import ember

            ember.use_deterministic_algorithms(True, warn_only=deterministic == "warn")
        self.deterministic = deterministic

        # -- loggers and callbacks ---------------------------------------------------------------
        self.loggers = _build_loggers(logger, self._default_root_dir)
        self.callbacks = build_callbacks(
            callbacks,
            enable_checkpointing=True if enable_checkpointing is None else enable_checkpointing,
            enable_progress_bar=True if enable_progress_bar is None else enable_progress_bar,
            enable_model_summary=True if enable_model_summary is None else enable_model_summary,
            max_time=max_time,
        )
        if self.fast_dev_run:
            self._apply_fast_dev_run(int(self.fast_dev_run))

        # -- helpers and run state -----------------------------------------------------------------
        self._data = DataConnector(self)
        self._logger_connector = LoggerConnector(self, log_every_n_steps)
        self._checkpoint_connector = CheckpointConnector(self)
        self._optimization = Optimization(self)
        self._val_loop = EvaluationLoop(self, "validation")
        self._test_loop = EvaluationLoop(self, "test")
        self._predict_loop = PredictionLoop(self)
        self._lightning_module: LightningModule | None = None
        self.datamodule = None
        self.optimizers: list = []
        self._lightning_optimizers: list = []
        self.lr_scheduler_configs: list = []
        self.should_stop = False
        self.num_training_batches: int | float = 0
        self.val_check_batch: int | float = math.inf
        self._results = None
        self._current_batch = None

    def _apply_fast_dev_run(self, n: int) -> None:
        """Lightning's fast_dev_run: N batches of each loop, one epoch, nothing written."""
        from ..loggers.logger import DummyLogger

        self.limit_train_batches = self.limit_val_batches = n
        self.limit_test_batches = self.limit_predict_batches = n
        self.fit_loop.epoch_loop.max_steps = n
        self.fit_loop.max_epochs = 1
        self.num_sanity_val_steps = 0
        self.val_check_interval = 1.0
        self.check_val_every_n_epoch = 1
        self.loggers = [DummyLogger()] if self.loggers else []
        if self.is_global_zero:
            print(
                f"Running in `fast_dev_run` mode: will run the requested loop using {n} batch(es). "
                "Logging and checkpointing is suppressed."
            )

    # =========================================================================================
    # public entry points
    # =========================================================================================
    def fit(
        self,
        model: LightningModule,
        train_dataloaders=None,
        val_dataloaders=None,
        datamodule=None,
        ckpt_path: str | os.PathLike | None = None,
    ) -> None:
        """Train ``model``, validating as configured.

        Args:
            model: the LightningModule.
            train_dataloaders: a DataLoader (or a LightningDataModule); default: the
                datamodule's or the model's ``train_dataloader()``.
            val_dataloaders: a DataLoader or a list of them.
            datamodule: a LightningDataModule providing the dataloaders.
            ckpt_path: resume from this checkpoint: a path, or "last".
        """
        from ..core.datamodule import LightningDataModule

        self._check_module(model, "fit")
        if isinstance(train_dataloaders, LightningDataModule):
            datamodule, train_dataloaders = train_dataloaders, None
        if datamodule is not None and (
            train_dataloaders is not None or val_dataloaders is not None
        ):
            raise MisconfigurationException(
                "You cannot pass `train_dataloaders` or `val_dataloaders` to "
                "`trainer.fit(datamodule=...)`"
            )
        for name in ("training_step", "configure_optimizers"):
            if not is_overridden(name, model, LightningModule):
                raise MisconfigurationException(
                    f"No `{name}()` method defined. The Trainer expects as minimum a "
                    "`training_step()`, `train_dataloader()` and `configure_optimizers()` to be "
                    f"defined in {type(model).__name__}"
                )
        self._start(
            TrainerFn.FITTING,
            RunningStage.TRAINING,
            datamodule,
            train=train_dataloaders,
            val=val_dataloaders,
        )
        self._call_and_handle_interrupt(self._run, model, ckpt_path, True)

    def validate(
        self,
        model: LightningModule | None = None,
        dataloaders=None,
        ckpt_path: str | os.PathLike | None = None,
        verbose: bool = True,
        datamodule=None,
    ) -> list[dict[str, float]]:
        """Run one validation epoch; returns the logged epoch metrics, one dict per dataloader.

        Args:
            model: the LightningModule (default: the one of the previous fit).
            dataloaders: a DataLoader, a list of them, or a LightningDataModule.
            ckpt_path: "best", "last" or a path to load weights from first (default with no
                model given: the best checkpoint of the previous fit, if any).
            verbose: print the results.
            datamodule: a LightningDataModule providing ``val_dataloader()``.
        """
        return self._evaluate(
            TrainerFn.VALIDATING,
            RunningStage.VALIDATING,
            "validation_step",
            model,
            dataloaders,
            ckpt_path,
            verbose,
            datamodule,
        )

    def test(
        self,
        model: LightningModule | None = None,
        dataloaders=None,
        ckpt_path: str | os.PathLike | None = None,
        verbose: bool = True,
        datamodule=None,
    ) -> list[dict[str, float]]:
        """Run one test epoch; returns the logged epoch metrics, one dict per dataloader.

        Arguments as :meth:`validate` (with ``test_dataloader()``).
        """
        return self._evaluate(
            TrainerFn.TESTING,
            RunningStage.TESTING,
            "test_step",
            model,
            dataloaders,
            ckpt_path,
            verbose,
            datamodule,
        )

    def predict(
        self,
        model: LightningModule | None = None,
        dataloaders=None,
        datamodule=None,
        return_predictions: bool | None = None,
        ckpt_path: str | os.PathLike | None = None,
    ):
        """Run ``predict_step`` over the predict dataloaders.

        Returns:
            A list of what ``predict_step`` returned per batch (a list of such lists with
            several dataloaders), or None with ``return_predictions=False``.
        """
        model = self._resolve_model(model, "predict")
        datamodule, dataloaders = self._split_datamodule(dataloaders, datamodule, "predict")
        self._predict_loop.return_predictions = (
            True if return_predictions is None else return_predictions
        )
        self._start(TrainerFn.PREDICTING, RunningStage.PREDICTING, datamodule, predict=dataloaders)
        return self._call_and_handle_interrupt(self._run, model, ckpt_path, self._model_given)

    def save_checkpoint(
        self, filepath: str | os.PathLike, weights_only: bool = False, storage_options: Any = None
    ) -> None:
        """Write a checkpoint of the current state to ``filepath`` (atomically).

        With several processes, call it on every rank: rank 0 writes the file, the others
        wait for it.
        """
        if self.lightning_module is None:
            raise RuntimeError(
                "Saving a checkpoint is only possible if a model is attached to the Trainer. Did "
                "you call `Trainer.save_checkpoint()` before calling `Trainer.fit()`?"
            )
        if storage_options is not None:
            raise TypeError("Trainer.save_checkpoint(): storage_options is not supported")
        self._checkpoint_connector.save_checkpoint(filepath, weights_only)

    # =========================================================================================
    # the run
    # =========================================================================================
    @staticmethod
    def _check_module(model: Any, fn: str) -> None:
        if not isinstance(model, LightningModule):
            raise TypeError(
                f"`Trainer.{fn}()` requires a `LightningModule`, got: {type(model).__qualname__}"
            )

    def _resolve_model(self, model, fn: str) -> LightningModule:
        self._model_given = model is not None
        if model is None:
            model = self.lightning_module
            if model is None:
                raise MisconfigurationException(
                    f"`model` must be provided to `trainer.{fn}()` when it hasn't been passed "
                    "in a previous run"
                )
        self._check_module(model, fn)
        return model

    @staticmethod
    def _split_datamodule(dataloaders, datamodule, fn: str):
        from ..core.datamodule import LightningDataModule

        if isinstance(dataloaders, LightningDataModule):
            datamodule, dataloaders = dataloaders, None
        if dataloaders is not None and datamodule is not None:
            raise MisconfigurationException(
                f"You cannot pass both `trainer.{fn}(dataloaders=..., datamodule=...)`"
            )
        return datamodule, dataloaders

    def _evaluate(self, fn, stage, step_name, model, dataloaders, ckpt_path, verbose, datamodule):
        model = self._resolve_model(model, fn.value)
        datamodule, dataloaders = self._split_datamodule(dataloaders, datamodule, fn.value)
        if not is_overridden(step_name, model, LightningModule):
            raise MisconfigurationException(
                f"No `{step_name}()` method defined to run `Trainer.{fn.value}`"
            )
        loaders = {"val": dataloaders} if fn == TrainerFn.VALIDATING else {"test": dataloaders}
        self._start(fn, stage, datamodule, **loaders)
        results = self._call_and_handle_interrupt(self._run, model, ckpt_path, self._model_given)
        if verbose and results and self.is_global_zero:
            _print_results(results, "Validate" if fn == TrainerFn.VALIDATING else "Test")
        return results

    def _start(self, fn: TrainerFn, stage: RunningStage, datamodule, **loaders) -> None:
        self.state.fn = fn
        self.state.stage = stage
        self.should_stop = False
        self.datamodule = datamodule
        self._data.attach(fn.value, **loaders)

    def _call_and_handle_interrupt(self, run, *args):
        try:
            return run(*args)
        except KeyboardInterrupt as exception:
            print("\nDetected KeyboardInterrupt, attempting graceful shutdown ...")
            self._on_exception(exception)
            self.state.status = TrainerStatus.INTERRUPTED
            return None
        except BaseException as exception:
            self._on_exception(exception)
            self.state.status = TrainerStatus.INTERRUPTED
            raise
        finally:
            self.strategy.teardown()
            self.state.stage = None
            self._current_batch = None

    def _on_exception(self, exception: BaseException) -> None:
        if self.lightning_module is not None:
            call_callbacks(self, "on_exception", exception)
        if self.is_global_zero:
            for logger in self.loggers:
                logger.finalize("failed")

    def _agree_on_log_dirs(self) -> None:
        """Every rank reads its loggers' versions (the next free ``version_N``) before rank 0
        creates any folder, so all ranks name the same log and checkpoint folders."""
        for logger in self.loggers:
            logger.version  # noqa: B018 (resolving the version is the point)
        self.strategy.barrier("Trainer.log_dirs")

    def _run(self, model: LightningModule, ckpt_path, model_given: bool):
        fn = self.state.fn.value
        self.state.status = TrainerStatus.RUNNING
        self.strategy.setup_environment()
        self._agree_on_log_dirs()
        model.trainer = self
        self._lightning_module = model
        if self.datamodule is not None:
            self.datamodule.trainer = self
        self._val_loop.reset()
        self._test_loop.reset()
        self._predict_loop.reset()
        self.fit_loop.train_dataloader = None
        attach_model_callbacks(self)

        call_datamodule(self, "prepare_data")
        call_module(self, "prepare_data")
        call_datamodule(self, "setup", stage=fn)
        call_callbacks(self, "setup", fn)
        call_module(self, "setup", stage=fn)
        call_module(self, "configure_model")
        self.precision_plugin.convert_module(model)
        model.to(self.root_device)

        path = self._checkpoint_connector.resolve_ckpt_path(ckpt_path, fn, model_given)
        if path is not None:
            self._checkpoint_connector.load(path)
            self._checkpoint_connector.restore_modules_and_callbacks()
        self._logger_connector.reset_metrics()

        if fn == "fit":
            self.strategy.setup_module(model)  # DDP: wraps it, rank 0's weights to every rank
            self._setup_optimizers(model)
            call_callbacks(self, "on_fit_start")
            call_module(self, "on_fit_start")
        self._log_hyperparams()
        if fn == "fit":
            self._checkpoint_connector.restore_training_state()
        self._checkpoint_connector.resume_end()

        results = self._run_stage()

        if fn == "fit":
            call_callbacks(self, "on_fit_end")
            call_module(self, "on_fit_end")
        call_datamodule(self, "teardown", stage=fn)
        call_callbacks(self, "teardown", fn)
        call_module(self, "teardown", stage=fn)
        if self.is_global_zero:
            for logger in self.loggers:
                logger.finalize("success")
        self.state.status = TrainerStatus.FINISHED
        return results

    def _setup_optimizers(self, model: LightningModule) -> None:
        from ..core.optimizer import LightningOptimizer

        if not model.automatic_optimization:
            if self.gradient_clip_val:
                raise MisconfigurationException(
                    "Automatic gradient clipping is not supported for manual optimization. "
                    f"Remove `Trainer(gradient_clip_val={self.gradient_clip_val})` or switch to "
                    "automatic optimization (clip in `training_step` with "
                    "`self.clip_gradients(opt, ...)`)."
                )
            if self.accumulate_grad_batches != 1:
                raise MisconfigurationException(
                    "Automatic gradient accumulation is not supported for manual optimization. "
                    f"Remove `Trainer(accumulate_grad_batches={self.accumulate_grad_batches})` "
                    "or switch to automatic optimization."
                )
        self.optimizers, self.lr_scheduler_configs = init_optimizers(model)
        self._lightning_optimizers = []
        for optimizer in self.optimizers:
            wrapped = LightningOptimizer(optimizer)
            wrapped._trainer = self
            self._lightning_optimizers.append(wrapped)

    def _log_hyperparams(self) -> None:
        if not self.loggers:
            return
        hparams: dict[str, Any] = {}
        model = self.lightning_module
        if model.__dict__.get("_hparams") and model.__dict__.get("_log_hyperparams", True):
            hparams.update(model.hparams_initial)
        datamodule = self.datamodule
        datamodule_hparams = datamodule is not None and datamodule.__dict__.get("_hparams")
        if datamodule_hparams and datamodule.__dict__.get("_log_hyperparams", True):
            clash = [
                k for k, v in datamodule.hparams_initial.items() if k in hparams and hparams[k] != v
            ]
            if clash:
                raise MisconfigurationException(
                    f"Error while merging hparams: the keys {clash} are present in both the "
                    "LightningModule's and LightningDataModule's hparams but have different "
                    "values."
                )
            hparams.update(datamodule.hparams_initial)
        if not self.is_global_zero:
            return
        for logger in self.loggers:
            logger.log_hyperparams(hparams)
            logger.log_graph(model)  # a no-op unless the logger was made with log_graph=True
            logger.save()

    def _run_stage(self):
        fn = self.state.fn
        if fn == TrainerFn.VALIDATING:
            return self._val_loop.run()
        if fn == TrainerFn.TESTING:
            return self._test_loop.run()
        if fn == TrainerFn.PREDICTING:
            return self._predict_loop.run()
        self._results = self.fit_loop.train_results
        with _isolate_rng():
            self._run_sanity_check()
        import ember

        with ember.autograd.set_detect_anomaly(self._detect_anomaly):
            self.fit_loop.run()
        self._results = None
        return None

    def _run_sanity_check(self) -> None:
        if not self.enable_validation or self.num_sanity_val_steps == 0:
            return
        self.state.stage = RunningStage.SANITY_CHECKING
        self._logger_connector.reset_metrics()
        call_callbacks(self, "on_sanity_check_start")
        self._val_loop.run()
        call_callbacks(self, "on_sanity_check_end")
        self._logger_connector.reset_metrics()
        self._results = self.fit_loop.train_results
        self.state.stage = RunningStage.TRAINING

    def _run_evaluation_in_fit(self) -> None:
        """Validation inside the training epoch (see TrainingEpochLoop)."""
        self.state.stage = RunningStage.VALIDATING
        self._val_loop.run()
        self.state.stage = RunningStage.TRAINING
        self.lightning_module.train()

    def _evaluation_context(self):
        import ember

        return ember.inference_mode() if self._inference_mode else ember.no_grad()

    def _load_train_dataloader(self) -> None:
        """Request the training dataloader (once per fit) and measure it."""
        if self.fit_loop.train_dataloader is not None:
            return
        loader = self._data.request("train")[0]
        if self.overfit_batches:
            loader = sequential_loader(loader)
        self.fit_loop.train_dataloader = loader
        self.num_training_batches = num_batches(loader, self.limit_train_batches, "train")
        interval = self.val_check_interval
        if isinstance(interval, int):
            if self.check_val_every_n_epoch is not None and interval > self.num_training_batches:
                raise ValueError(
                    f"`val_check_interval` ({interval}) must be less than or equal to the "
                    f"number of the training batches ({self.num_training_batches}). If you want "
                    "to disable validation set `limit_val_batches` to 0.0 instead. If you want "
                    "to validate based on the total training batches, set "
                    "`check_val_every_n_epoch=None`."
                )
            self.val_check_batch = interval
        elif math.isinf(self.num_training_batches):
            if interval != 1.0:
                raise MisconfigurationException(
                    f"Trainer(val_check_interval={interval}): a fraction of an epoch needs a "
                    "training dataloader with a length; pass an int number of batches"
                )
            self.val_check_batch = math.inf
        else:
            self.val_check_batch = max(1, int(self.num_training_batches * interval))

    # =========================================================================================
    # properties
    # =========================================================================================
    @property
    def lightning_module(self) -> LightningModule | None:
        """The LightningModule being (or last) run."""
        return self._lightning_module

    model = lightning_module

    @property
    def current_epoch(self) -> int:
        """The epoch in progress (0-based); after fit, the number of epochs run."""
        return self.fit_loop.current_epoch

    @property
    def global_step(self) -> int:
        """The number of optimizer steps taken."""
        return self.fit_loop.epoch_loop.global_step

    @property
    def max_epochs(self) -> int:
        return self.fit_loop.max_epochs

    @property
    def min_epochs(self) -> int | None:
        return self.fit_loop.min_epochs

    @property
    def max_steps(self) -> int:
        return self.fit_loop.epoch_loop.max_steps

    @property
    def min_steps(self) -> int | None:
        return self.fit_loop.epoch_loop.min_steps

    @property
    def callback_metrics(self) -> dict:
        """The latest logged values, as scalar Tensors (what monitors read)."""
        return self._logger_connector.callback_metrics

    @property
    def logged_metrics(self) -> dict:
        """The values sent to the loggers, as floats."""
        return self._logger_connector.logged_metrics

    @property
    def progress_bar_metrics(self) -> dict:
        """The values logged with ``prog_bar=True``, as floats."""
        return self._logger_connector.progress_bar_metrics

    @property
    def logger(self):
        """The first logger, or None."""
        return self.loggers[0] if self.loggers else None

    @logger.setter
    def logger(self, logger) -> None:
        self.loggers = [] if logger is None else [logger]

    @property
    def default_root_dir(self) -> str:
        return self._default_root_dir

    @property
    def log_dir(self) -> str:
        """The first logger's folder (``default_root_dir`` without loggers)."""
        if self.loggers and self.loggers[0].log_dir is not None:
            return self.loggers[0].log_dir
        return self._default_root_dir

    @property
    def ckpt_path(self) -> str | None:
        """The checkpoint loaded by the last fit / validate / test / predict call."""
        return self._checkpoint_connector.ckpt_path

    @property
    def checkpoint_callbacks(self) -> list:
        from ..callbacks.model_checkpoint import ModelCheckpoint

        return [cb for cb in self.callbacks if isinstance(cb, ModelCheckpoint)]

    @property
    def checkpoint_callback(self):
        """The first ModelCheckpoint callback, or None."""
        callbacks = self.checkpoint_callbacks
        return callbacks[0] if callbacks else None

    @property
    def early_stopping_callbacks(self) -> list:
        from ..callbacks.early_stopping import EarlyStopping

        return [cb for cb in self.callbacks if isinstance(cb, EarlyStopping)]

    @property
    def early_stopping_callback(self):
        """The first EarlyStopping callback, or None."""
        callbacks = self.early_stopping_callbacks
        return callbacks[0] if callbacks else None

    @property
    def progress_bar_callback(self):
        """The progress bar callback, or None."""
        from ..callbacks.progress import ProgressBar

        for callback in self.callbacks:
            if isinstance(callback, ProgressBar):
                return callback
        return None

    @property
    def enable_validation(self) -> bool:
        """Whether fit validates: a val dataloader, a validation_step and a non-zero limit."""
        model = self.lightning_module
        return (
            model is not None
            and self._data.has_source("val")
            and is_overridden("validation_step", model, LightningModule)
            and self.limit_val_batches > 0
        )

    @property
    def train_dataloader(self):
        return self.fit_loop.train_dataloader

    @property
    def val_dataloaders(self):
        return self._val_loop.dataloaders

    @property
    def test_dataloaders(self):
        return self._test_loop.dataloaders

    @property
    def predict_dataloaders(self):
        return self._predict_loop.dataloaders

    @property
    def num_val_batches(self) -> list:
        """Batches per validation dataloader."""
        return list(self._val_loop.max_batches)

    @property
    def num_sanity_val_batches(self) -> list:
        """Batches per validation dataloader in the sanity check."""
        steps = self.num_sanity_val_steps
        return [n if steps == -1 else min(n, steps) for n in self._val_loop.max_batches]

    @property
    def num_test_batches(self) -> list:
        return list(self._test_loop.max_batches)

    @property
    def num_predict_batches(self) -> list:
        return list(self._predict_loop.max_batches)

    @property
    def estimated_stepping_batches(self) -> int | float:
        """The number of optimizer steps fit will take (for OneCycleLR and the like)."""
        if self.max_epochs == -1:
            return math.inf if self.max_steps == -1 else self.max_steps
        self._load_train_dataloader()
        total = self.num_training_batches
        if math.isinf(total):
            return self.max_steps if self.max_steps != -1 else math.inf
        steps = math.ceil(total / self.accumulate_grad_batches) * max(self.max_epochs, 1)
        return min(steps, self.max_steps) if self.max_steps != -1 else steps

    # -- where we are --------------------------------------------------------------------------
    @property
    def training(self) -> bool:
        return self.state.stage == RunningStage.TRAINING

    @training.setter
    def training(self, value: bool) -> None:
        if value:
            self.state.stage = RunningStage.TRAINING
        elif self.training:
            self.state.stage = None

    @property
    def sanity_checking(self) -> bool:
        return self.state.stage == RunningStage.SANITY_CHECKING

    @property
    def validating(self) -> bool:
        return self.state.stage == RunningStage.VALIDATING

    @property
    def testing(self) -> bool:
        return self.state.stage == RunningStage.TESTING

    @property
    def predicting(self) -> bool:
        return self.state.stage == RunningStage.PREDICTING

    @property
    def interrupted(self) -> bool:
        return self.state.status == TrainerStatus.INTERRUPTED

    # -- processes (answered by the strategy) ---------------------------------------------------
    @property
    def is_global_zero(self) -> bool:
        """True in the process that draws progress bars, logs and writes checkpoints."""
        return self.strategy.is_global_zero

    @property
    def global_rank(self) -> int:
        return self.strategy.global_rank

    @property
    def local_rank(self) -> int:
        return self.strategy.local_rank

    @property
    def node_rank(self) -> int:
        return self.strategy.node_rank

    @property
    def world_size(self) -> int:
        return self.strategy.world_size

    @property
    def num_devices(self) -> int:
        """Devices (processes) per machine."""
        return max(self.world_size // self.num_nodes, 1)

    @property
    def device_ids(self) -> list[int]:
        if self.world_size == 1:
            return [self.root_device.index or 0]
        return list(range(self.num_devices))


def _print_results(results: list[dict[str, float]], stage: str) -> None:
    """Print the metrics of validate / test as a table (one column per dataloader)."""
    names = sorted({k for r in results for k in r})
    if not names:
        return
    header = [f"{stage} metric"] + [f"DataLoader {i}" for i in range(len(results))]
    rows = [
        [name] + [f"{float(r[name]):.6g}" if name in r else "" for r in results] for name in names
    ]
    widths = [max(len(row[i]) for row in [header] + rows) + 2 for i in range(len(header))]
    line = "─" * (sum(widths) + len(widths) - 1)
    print(line)
    print(" ".join(cell.center(w) for cell, w in zip(header, widths)))
    print(line)
    for row in rows:
        print(" ".join(cell.center(w) for cell, w in zip(row, widths)))
    print(line)

"""``ModelCheckpoint``: save the model during training, keeping the best ``save_top_k``."""

from __future__ import annotations

import math
import os
import re
import time
import warnings
from datetime import timedelta
from typing import Any

from ..utilities.exceptions import MisconfigurationException
from .callback import Callback

__all__ = ["ModelCheckpoint"]


def _number(value: Any) -> float:
    return float(value.item()) if hasattr(value, "item") else float(value)


class ModelCheckpoint(Callback):
    r"""Save checkpoints periodically, by a monitored metric or not.

    By default one checkpoint is kept, the latest, written at the end of every training epoch
    as ``{dirpath}/epoch={epoch}-step={step}.ckpt``. With ``monitor``, the ``save_top_k``
    best by that metric are kept. Checkpoints are written atomically (see the trainer's
    checkpoint format in docs/lightning.md).

    Args:
        dirpath: the folder (default: ``{logger.save_dir}/{logger.name}/{version}/checkpoints``,
            or ``{default_root_dir}/checkpoints`` without a logger).
        filename: a template with metric names in braces and optional format specs:
            ``"{epoch}-{val_loss:.2f}"`` gives ``epoch=2-val_loss=0.12.ckpt`` (with
            ``auto_insert_metric_name``). Default ``"{epoch}-{step}"``.
        monitor: the logged metric to rank checkpoints by (None: the latest is the best).
        verbose: print when a checkpoint is saved.
        save_last: also write ``last.ckpt`` each time (True), for resuming.
        save_top_k: keep the best k (-1: all; 0: none).
        save_weights_only: only the model's weights (no optimizer or loop state).
        mode: "min" or "max": which way ``monitor`` improves.
        auto_insert_metric_name: write ``name=value`` for each ``{name}`` of the filename.
        every_n_train_steps: save every N optimizer steps instead of at epoch ends.
        train_time_interval: save at most every this ``timedelta``.
        every_n_epochs: save every N epochs (default 1 when no other trigger is set).
        save_on_train_epoch_end: save at the end of the training epoch (True) or after
            validation (False); default: at the training epoch's end when validation runs once
            per epoch at its end.
        enable_version_counter: add ``-v1``, ``-v2`` ... instead of overwriting a file of the
            same name.

    Attributes:
        best_model_path: the best checkpoint so far; best_model_score: its score.
        best_k_models: ``{path: score}`` of the kept checkpoints.
        kth_best_model_path, kth_value: the worst of the kept ones (replaced next).
        last_model_path: the latest ``last.ckpt``.

    Example:
        >>> from ember_lightning import Trainer
        >>> checkpoint = ModelCheckpoint(monitor="val_loss", filename="{epoch}-{val_loss:.2f}")
        >>> checkpoint.format_checkpoint_name({"epoch": 3, "val_loss": 0.1234})
        'epoch=3-val_loss=0.12.ckpt'
    """

    CHECKPOINT_JOIN_CHAR = "-"
    CHECKPOINT_EQUALS_CHAR = "="
    CHECKPOINT_NAME_LAST = "last"
    FILE_EXTENSION = ".ckpt"
    STARTING_VERSION = 1

    def __init__(
        self,
        dirpath: str | os.PathLike | None = None,
        filename: str | None = None,
        monitor: str | None = None,
        verbose: bool = False,
        save_last: bool | None = None,
        save_top_k: int = 1,
        save_weights_only: bool = False,
        mode: str = "min",
        auto_insert_metric_name: bool = True,
        every_n_train_steps: int | None = None,
        train_time_interval: timedelta | None = None,
        every_n_epochs: int | None = None,
        save_on_train_epoch_end: bool | None = None,
        enable_version_counter: bool = True,
    ) -> None:
        if save_last not in (None, True, False):
            raise MisconfigurationException(
                f"ModelCheckpoint(save_last={save_last!r}): expected True, False or None"
            )
        if save_top_k < -1:
            raise MisconfigurationException(
                f"Invalid value for save_top_k={save_top_k}. Must be >= -1"
            )
        if mode not in ("min", "max"):
            raise MisconfigurationException(f"`mode` can be 'min' or 'max', got {mode!r}")
        if monitor is None and save_top_k not in (-1, 0, 1):
            raise MisconfigurationException(
                f"ModelCheckpoint(save_top_k={save_top_k}, monitor=None) is not a valid "
                "configuration. No quantity for top_k to track."
            )
        triggers = [t for t in (every_n_train_steps, every_n_epochs, train_time_interval) if t]
        if len(triggers) > 1:
            raise MisconfigurationException(
                f"Combination of parameters every_n_train_steps={every_n_train_steps}, "
                f"every_n_epochs={every_n_epochs} and train_time_interval={train_time_interval} "
                "should be mutually exclusive."
            )
        for name, value in (
            ("every_n_train_steps", every_n_train_steps),
            ("every_n_epochs", every_n_epochs),
        ):
            if value is not None and (not isinstance(value, int) or value < 0):
                raise MisconfigurationException(
                    f"ModelCheckpoint({name}={value!r}): expected an int >= 0"
                )
        if every_n_train_steps is None and every_n_epochs is None and train_time_interval is None:
            every_n_epochs = 1
        self.dirpath = os.path.realpath(os.fspath(dirpath)) if dirpath is not None else None
        self.filename = filename
        self.monitor = monitor
        self.verbose = verbose
        self.save_last = save_last
        self.save_top_k = save_top_k
        self.save_weights_only = save_weights_only
        self.mode = mode
        self.auto_insert_metric_name = auto_insert_metric_name
        self._every_n_train_steps = every_n_train_steps or 0
        self._every_n_epochs = every_n_epochs or 0
        self._train_time_interval = train_time_interval
        self._save_on_train_epoch_end = save_on_train_epoch_end
        self._enable_version_counter = enable_version_counter
        self._last_global_step_saved = 0
        self._last_time_check: float | None = None
        self.current_score = None
        self.best_k_models: dict[str, Any] = {}
        self.kth_best_model_path = ""
        self.best_model_score = None
        self.best_model_path = ""
        self.last_model_path = ""
        self.kth_value = None

    @property
    def every_n_epochs(self) -> int:
        return self._every_n_epochs

    @property
    def every_n_train_steps(self) -> int:
        return self._every_n_train_steps

    @property
    def state_key(self) -> str:
        return self._generate_state_key(
            monitor=self.monitor,
            mode=self.mode,
            every_n_train_steps=self._every_n_train_steps,
            every_n_epochs=self._every_n_epochs,
            train_time_interval=self._train_time_interval,
        )

    # -- hooks ---------------------------------------------------------------------------------
    def setup(self, trainer, pl_module, stage: str) -> None:
        if self.dirpath is None:
            self.dirpath = self._default_dirpath(trainer)
        self.dirpath = trainer.strategy.broadcast(self.dirpath)  # DDP: rank 0's folder
        has_files = os.path.isdir(self.dirpath) and any(
            name.endswith(self.FILE_EXTENSION) for name in os.listdir(self.dirpath)
        )
        if stage == "fit" and self.save_top_k != 0 and has_files and trainer.is_global_zero:
            warnings.warn(
                f"Checkpoint directory {self.dirpath} exists and is not empty.", stacklevel=2
            )

    @staticmethod
    def _default_dirpath(trainer) -> str:
        if trainer.loggers:
            logger = trainer.loggers[0]
            save_dir = logger.save_dir or trainer.default_root_dir
            version = logger.version
            version = version if isinstance(version, str) else f"version_{version}"
            path = os.path.join(save_dir, str(logger.name), version, "checkpoints")
        else:
            path = os.path.join(trainer.default_root_dir, "checkpoints")
        return os.path.realpath(path)

    def on_train_start(self, trainer, pl_module) -> None:
        self._last_time_check = time.monotonic()

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx: int) -> None:
        if self._should_skip_saving_checkpoint(trainer):
            return
        skip_batch = self._every_n_train_steps < 1 or (
            trainer.global_step % self._every_n_train_steps != 0
        )
        interval = self._train_time_interval
        skip_time = True
        now = time.monotonic()
        if interval is not None and self._last_time_check is not None:
            skip_time = now - self._last_time_check < interval.total_seconds()
            skip_time = trainer.strategy.broadcast(skip_time)  # DDP: rank 0's clock decides
        if skip_batch and skip_time:
            return
        if not skip_time:
            self._last_time_check = now
        candidates = self._monitor_candidates(trainer)
        self._save_topk_checkpoint(trainer, candidates)
        self._save_last_checkpoint(trainer, candidates)

    def on_train_epoch_end(self, trainer, pl_module) -> None:
        if not self._should_skip_saving_checkpoint(
            trainer
        ) and self._should_save_on_train_epoch_end(trainer):
            self._save_epoch_checkpoints(trainer)

    def on_validation_end(self, trainer, pl_module) -> None:
        if not self._should_skip_saving_checkpoint(trainer) and not (
            self._should_save_on_train_epoch_end(trainer)
        ):
            self._save_epoch_checkpoints(trainer)

    def _save_epoch_checkpoints(self, trainer) -> None:
        candidates = self._monitor_candidates(trainer)
        if self._every_n_epochs >= 1 and (trainer.current_epoch + 1) % self._every_n_epochs == 0:
            self._save_topk_checkpoint(trainer, candidates)
        self._save_last_checkpoint(trainer, candidates)

    def state_dict(self) -> dict[str, Any]:
        return {
            "monitor": self.monitor,
            "best_model_score": self.best_model_score,
            "best_model_path": self.best_model_path,
            "current_score": self.current_score,
            "dirpath": self.dirpath,
            "best_k_models": self.best_k_models,
            "kth_best_model_path": self.kth_best_model_path,
            "kth_value": self.kth_value,
            "last_model_path": self.last_model_path,
        }

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        dirpath = state_dict.get("dirpath", self.dirpath)
        if self.dirpath == dirpath:
            self.best_model_score = state_dict["best_model_score"]
            self.kth_best_model_path = state_dict.get("kth_best_model_path", "")
            self.kth_value = state_dict.get("kth_value")
            self.best_k_models = dict(state_dict.get("best_k_models", {}))
            self.last_model_path = state_dict.get("last_model_path", "")
        else:
            warnings.warn(
                f"The dirpath has changed from {dirpath!r} to {self.dirpath!r}, therefore "
                "`best_model_score`, `kth_best_model_path`, `kth_value`, `last_model_path` and "
                "`best_k_models` won't be reloaded. Only `best_model_path` will be reloaded.",
                stacklevel=2,
            )
        self.best_model_path = state_dict["best_model_path"]

    # -- when to save ---------------------------------------------------------------------------
    def _should_skip_saving_checkpoint(self, trainer) -> bool:
        return (
            bool(trainer.fast_dev_run)
            or trainer.state.fn.value != "fit"
            or trainer.sanity_checking
            or self._last_global_step_saved == trainer.global_step
        )

    def _should_save_on_train_epoch_end(self, trainer) -> bool:
        if self._save_on_train_epoch_end is not None:
            return self._save_on_train_epoch_end
        if trainer.check_val_every_n_epoch != 1:
            return False
        if not trainer.enable_validation or sum(trainer.num_val_batches) == 0:
            return True
        return trainer.val_check_interval == 1.0

    def _monitor_candidates(self, trainer) -> dict[str, Any]:
        import ember

        candidates = dict(trainer.callback_metrics)
        candidates.setdefault("epoch", ember.tensor(trainer.current_epoch))
        candidates.setdefault("step", ember.tensor(trainer.global_step))
        return candidates

    # -- top-k bookkeeping ------------------------------------------------------------------------
    def _save_topk_checkpoint(self, trainer, candidates: dict[str, Any]) -> None:
        if self.save_top_k == 0:
            return
        if self.monitor is None:
            self._save_none_monitor_checkpoint(trainer, candidates)
            return
        if self.monitor not in candidates:
            raise MisconfigurationException(
                f"`ModelCheckpoint(monitor={self.monitor!r})` could not find the monitored key in "
                f"the returned metrics: {sorted(candidates)}. HINT: Did you call "
                f"`log({self.monitor!r}, value)` in the `LightningModule`?"
            )
        # DDP: rank 0's score, so that every rank keeps the same best_k_models and
        # best_model_path, and all take the same decision to save (a collective operation)
        current = trainer.strategy.broadcast(candidates[self.monitor])
        if self.check_monitor_top_k(trainer, current):
            self._update_best_and_save(current, trainer, candidates)
        elif self.verbose and trainer.is_global_zero:
            print(
                f"Epoch {trainer.current_epoch:d}, global step {trainer.global_step:d}: "
                f"{self.monitor!r} was not in top {self.save_top_k}"
            )

    def check_monitor_top_k(self, trainer, current=None) -> bool:
        """Whether a checkpoint scoring ``current`` enters the top k."""
        if current is None:
            return False
        if self.save_top_k == -1 or len(self.best_k_models) < self.save_top_k:
            return True
        value = _number(current)
        kth = _number(self.best_k_models[self.kth_best_model_path])
        return value < kth if self.mode == "min" else value > kth

    def _save_none_monitor_checkpoint(self, trainer, candidates: dict[str, Any]) -> None:
        previous = self.best_model_path
        filepath = self._get_metric_interpolated_filepath_name(candidates, trainer, previous)
        self.best_model_path = filepath
        self._save_checkpoint(trainer, filepath)
        if self.save_top_k == 1 and previous and previous != filepath:
            self._remove_checkpoint(trainer, previous)

    def _update_best_and_save(self, current, trainer, candidates: dict[str, Any]) -> None:
        import ember

        k = len(self.best_k_models) + 1 if self.save_top_k == -1 else self.save_top_k
        del_filepath = None
        if len(self.best_k_models) == k and k > 0:
            del_filepath = self.kth_best_model_path
            self.best_k_models.pop(del_filepath)
        if math.isnan(_number(current)):
            current = ember.tensor(math.inf if self.mode == "min" else -math.inf)
        filepath = self._get_metric_interpolated_filepath_name(candidates, trainer, del_filepath)
        self.current_score = current
        self.best_k_models[filepath] = current
        if len(self.best_k_models) == k:
            worst = max if self.mode == "min" else min
            self.kth_best_model_path = worst(
                self.best_k_models, key=lambda p: _number(self.best_k_models[p])
            )
            self.kth_value = self.best_k_models[self.kth_best_model_path]
        best = min if self.mode == "min" else max
        self.best_model_path = best(
            self.best_k_models, key=lambda p: _number(self.best_k_models[p])
        )
        self.best_model_score = self.best_k_models[self.best_model_path]
        if self.verbose and trainer.is_global_zero:
            print(
                f"Epoch {trainer.current_epoch:d}, global step {trainer.global_step:d}: "
                f"{self.monitor!r} reached {_number(current):.5f} (best "
                f"{_number(self.best_model_score):.5f}), saving model to {filepath!r} as top {k}"
            )
        self._save_checkpoint(trainer, filepath)
        if del_filepath is not None and filepath != del_filepath:
            self._remove_checkpoint(trainer, del_filepath)

    def _save_last_checkpoint(self, trainer, candidates: dict[str, Any]) -> None:
        if not self.save_last:
            return
        filepath = self.format_checkpoint_name(candidates, self.CHECKPOINT_NAME_LAST)
        if self._enable_version_counter:
            version = self.STARTING_VERSION
            while os.path.isfile(filepath) and filepath != self.last_model_path:
                filepath = self.format_checkpoint_name(
                    candidates, self.CHECKPOINT_NAME_LAST, ver=version
                )
                version += 1
        filepath = trainer.strategy.broadcast(filepath)  # DDP: rank 0 saw the files
        previous, self.last_model_path = self.last_model_path, filepath
        self._save_checkpoint(trainer, filepath)
        if previous and previous != filepath:
            self._remove_checkpoint(trainer, previous)

    def _save_checkpoint(self, trainer, filepath: str) -> None:
        trainer.save_checkpoint(filepath, self.save_weights_only)
        self._last_global_step_saved = trainer.global_step
        if trainer.is_global_zero:
            for logger in trainer.loggers:
                logger.after_save_checkpoint(self)

    @staticmethod
    def _remove_checkpoint(trainer, filepath: str) -> None:
        if trainer.is_global_zero and os.path.isfile(filepath):
            os.remove(filepath)

    # -- file names -------------------------------------------------------------------------------
    def _get_metric_interpolated_filepath_name(self, candidates, trainer, del_filepath=None) -> str:
        filepath = self.format_checkpoint_name(candidates)
        if self._enable_version_counter:
            version = self.STARTING_VERSION
            while os.path.isfile(filepath) and filepath != del_filepath:
                filepath = self.format_checkpoint_name(candidates, ver=version)
                version += 1
        return trainer.strategy.broadcast(filepath)  # DDP: rank 0's name (it saw the files)

    @classmethod
    def _format_checkpoint_name(
        cls, filename: str | None, metrics: dict[str, Any], auto_insert_metric_name: bool = True
    ) -> str:
        if not filename:
            filename = "{epoch}" + cls.CHECKPOINT_JOIN_CHAR + "{step}"
        # the names inside braces, longest first so that "{epoch}" does not split "{epochs}"
        groups = sorted(set(re.findall(r"(\{.*?)[:\}]", filename)), key=len, reverse=True)
        values = {}
        for group in groups:
            name = group[1:]
            if auto_insert_metric_name:
                filename = filename.replace(group, name + cls.CHECKPOINT_EQUALS_CHAR + "{" + name)
            filename = filename.replace("{" + name, "{0[" + name + "]")
            value = metrics.get(name, 0)
            if hasattr(value, "item"):
                value = value.item()
            values[name] = value
        return filename.format(values)

    def format_checkpoint_name(
        self, metrics: dict[str, Any], filename: str | None = None, ver: int | None = None
    ) -> str:
        """The checkpoint path for ``metrics`` (``filename`` overrides the template).

        Example:
            >>> ModelCheckpoint(filename="{epoch}").format_checkpoint_name({"epoch": 2}, ver=1)
            'epoch=2-v1.ckpt'
        """
        name = self._format_checkpoint_name(
            filename or self.filename, metrics, self.auto_insert_metric_name
        )
        if ver is not None:
            name = self.CHECKPOINT_JOIN_CHAR.join((name, f"v{ver}"))
        name += self.FILE_EXTENSION
        return os.path.join(self.dirpath, name) if self.dirpath else name

    def to_yaml(self, filepath: str | os.PathLike | None = None) -> None:
        """Write ``best_k_models`` (path: score) to a YAML file (default: in ``dirpath``)."""
        import yaml

        best = {path: _number(score) for path, score in self.best_k_models.items()}
        if filepath is None:
            filepath = os.path.join(self.dirpath, "best_k_models.yaml")
        with open(filepath, "w") as fh:
            yaml.dump(best, fh)

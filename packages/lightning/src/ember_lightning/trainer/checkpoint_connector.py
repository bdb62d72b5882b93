"""Writing and reading the trainer's checkpoints.

A checkpoint is a dict saved with ``ember.save`` (a zip archive read back safely by
``ember.load``; the file is replaced atomically). Its keys:

================================  ==========================================================
``format_version``                1 (this layout)
``ember_lightning_version``       the package version that wrote it
``epoch``, ``global_step``        the epoch in progress (0-based) and the optimizer steps
``state_dict``                    the LightningModule's ``state_dict()``
``loops``                         the loop progress (epoch, batches done, steps)
``hyper_parameters``              ``dict(model.hparams)`` (if any), ``hparams_name``
``callbacks``                     ``{callback.state_key: callback.state_dict()}``
``optimizer_states``              one ``state_dict()`` per optimizer
``lr_schedulers``                 one ``state_dict()`` per scheduler
``rng_states``                    Python ``random``, NumPy's global generator, Ember's
``train_sampler_generator``       the state of the training loader's own generator (if any)
``<DataModuleClass>``             the datamodule's ``state_dict()`` (if not empty)
``<PrecisionClass>``              the precision plugin's state (a gradient scaler), if any
================================  ==========================================================

With ``save_weights_only`` only the first six rows are written.

Exact resume: the random states and the sampler's generator are restored just before the
first resumed epoch starts drawing (after the sanity check, which runs with isolated random
states, and after ``train_dataloader()`` was called), so the resumed run draws the same
numbers as the uninterrupted run would have.
"""

from __future__ import annotations

import glob
import os
import random
import warnings
from typing import Any

from .call import call_callbacks, call_datamodule, call_module

__all__ = ["CheckpointConnector", "FORMAT_VERSION"]

FORMAT_VERSION = 1


def _rng_states() -> dict[str, Any]:
    import numpy as np

    import ember

    kind, keys, pos, has_gauss, cached = np.random.get_state()
    return {
        "python": random.getstate(),
        "numpy": (kind, keys.tolist(), int(pos), int(has_gauss), float(cached)),
        "ember": ember.get_rng_state(),
    }


def _set_rng_states(states: dict[str, Any]) -> None:
    import numpy as np

    import ember

    random.setstate(states["python"])
    kind, keys, pos, has_gauss, cached = states["numpy"]
    np.random.set_state((kind, np.asarray(keys, dtype=np.uint32), pos, has_gauss, cached))
    ember.set_rng_state(states["ember"])


class CheckpointConnector:
    """Saves and restores the full training state of one trainer."""

    def __init__(self, trainer) -> None:
        self.trainer = trainer
        self._loaded: dict | None = None
        self._pending_rng: dict | None = None
        self._pending_sampler_state = None
        self.ckpt_path: str | None = None

    # -- writing ------------------------------------------------------------------------------
    def dump_checkpoint(self, weights_only: bool = False) -> dict[str, Any]:
        """The checkpoint dict of the current state (see the module docstring)."""
        from .. import __version__
        from ..core.saving import CHECKPOINT_HYPER_PARAMS_KEY, DATAMODULE_HPARAMS_KEY
        from .data_connector import sampler_generator

        trainer = self.trainer
        model = trainer.lightning_module
        checkpoint: dict[str, Any] = {
            "format_version": FORMAT_VERSION,
            "ember_lightning_version": __version__,
            "epoch": trainer.current_epoch,
            "global_step": trainer.global_step,
            "state_dict": model.state_dict(),
            "loops": {"fit_loop": trainer.fit_loop.state_dict()},
        }
        if not weights_only:
            checkpoint["callbacks"] = self._callback_states()
            checkpoint["optimizer_states"] = [opt.state_dict() for opt in trainer.optimizers]
            checkpoint["lr_schedulers"] = [
                config.scheduler.state_dict() for config in trainer.lr_scheduler_configs
            ]
            precision_state = trainer.precision_plugin.state_dict()
            if precision_state:
                checkpoint[type(trainer.precision_plugin).__qualname__] = precision_state
            checkpoint["rng_states"] = _rng_states()
            generator = sampler_generator(trainer.fit_loop.train_dataloader)
            if generator is not None:
                checkpoint["train_sampler_generator"] = generator.get_state()
        if model.__dict__.get("_hparams"):
            checkpoint["hparams_name"] = model.__dict__.get("_hparams_name")
            checkpoint[CHECKPOINT_HYPER_PARAMS_KEY] = dict(model.hparams)
        datamodule = trainer.datamodule
        if datamodule is not None:
            if datamodule.__dict__.get("_hparams"):
                checkpoint[DATAMODULE_HPARAMS_KEY] = dict(datamodule.hparams)
            state = call_datamodule(trainer, "state_dict")
            if state:
                checkpoint[type(datamodule).__qualname__] = state
        if not weights_only:
            call_callbacks(trainer, "on_save_checkpoint", checkpoint)
        call_module(trainer, "on_save_checkpoint", checkpoint)
        return checkpoint

    def _callback_states(self) -> dict[str, Any]:
        states = {}
        for callback in self.trainer.callbacks:
            state = callback.state_dict()
            if state:
                states[callback.state_key] = state
        return states

    def save_checkpoint(self, filepath: str | os.PathLike, weights_only: bool = False) -> None:
        """Write the checkpoint to ``filepath`` atomically (folders are created).

        Every rank builds the checkpoint (its hooks run everywhere), rank 0 alone writes it,
        and all ranks wait until the file is complete before going on.
        """
        import ember

        trainer = self.trainer
        checkpoint = self.dump_checkpoint(weights_only)
        if trainer.is_global_zero:
            directory = os.path.dirname(os.fspath(filepath))
            if directory:
                os.makedirs(directory, exist_ok=True)
            ember.save(checkpoint, filepath)
        trainer.strategy.barrier("Trainer.save_checkpoint")

    # -- reading ------------------------------------------------------------------------------
    def resolve_ckpt_path(
        self, ckpt_path: str | os.PathLike | None, fn: str, model_given: bool
    ) -> str | None:
        """The file that ``ckpt_path`` ("best", "last", a path or None) stands for."""
        trainer = self.trainer
        if ckpt_path is None:
            callback = trainer.checkpoint_callback
            if fn != "fit" and not model_given and callback and callback.best_model_path:
                return callback.best_model_path
            return None
        if ckpt_path == "best":
            if fn == "fit":
                raise ValueError(
                    '`.fit(ckpt_path="best")` is not supported: resume from "last" or a path'
                )
            callback = trainer.checkpoint_callback
            if callback is None:
                raise ValueError(
                    f'`.{fn}(ckpt_path="best")` is set but `ModelCheckpoint` is not configured.'
                )
            if not callback.best_model_path:
                raise ValueError(
                    f'`.{fn}(ckpt_path="best")` is set but `ModelCheckpoint` has not saved a '
                    "checkpoint yet (run fit first, or pass a path)"
                )
            return callback.best_model_path
        if ckpt_path == "last":
            candidates = set()
            for callback in trainer.checkpoint_callbacks:
                if callback.last_model_path:
                    candidates.add(callback.last_model_path)
                if callback.dirpath:
                    pattern = os.path.join(callback.dirpath, callback.CHECKPOINT_NAME_LAST + "*")
                    candidates.update(glob.glob(pattern + callback.FILE_EXTENSION))
            existing = [p for p in candidates if os.path.isfile(p)]
            if not existing:
                warnings.warn(
                    f'.{fn}(ckpt_path="last") is set, but there is no last checkpoint available. '
                    "No checkpoint will be loaded. HINT: Set `ModelCheckpoint(..., "
                    "save_last=True)` (and a fixed `dirpath` to resume in a new process).",
                    stacklevel=3,
                )
                return None
            return max(existing, key=os.path.getmtime)
        path = os.fspath(ckpt_path)
        if not os.path.isfile(path):
            raise FileNotFoundError(f"Checkpoint file not found: {path!r} (ckpt_path of .{fn})")
        return path

    def load(self, path: str) -> None:
        """Read the checkpoint at ``path``; the restore_* methods apply it."""
        import ember

        self.ckpt_path = path
        self._loaded = ember.load(path, map_location=self.trainer.root_device)
        version = self._loaded.get("format_version")
        if version is not None and version > FORMAT_VERSION:
            raise RuntimeError(
                f"{path}: checkpoint format_version {version} is newer than this "
                f"ember_lightning understands ({FORMAT_VERSION}); upgrade ember-lightning"
            )

    def restore_modules_and_callbacks(self) -> None:
        """The model's weights, the datamodule's state, and (when fitting) the callbacks'."""
        checkpoint = self._loaded
        if checkpoint is None:
            return
        trainer = self.trainer
        call_module(trainer, "on_load_checkpoint", checkpoint)
        trainer.lightning_module.load_state_dict(checkpoint["state_dict"])
        datamodule = trainer.datamodule
        if datamodule is not None and type(datamodule).__qualname__ in checkpoint:
            datamodule.load_state_dict(checkpoint[type(datamodule).__qualname__])
        if trainer.state.fn.value == "fit":
            call_callbacks(trainer, "on_load_checkpoint", checkpoint)
            states = checkpoint.get("callbacks", {})
            for callback in trainer.callbacks:
                state = states.get(callback.state_key)
                if state:
                    callback.load_state_dict(state)

    def restore_training_state(self) -> None:
        """Optimizers, schedulers, precision state and loop progress (fit only)."""
        checkpoint = self._loaded
        trainer = self.trainer
        if checkpoint is None or trainer.state.fn.value != "fit":
            return
        if "optimizer_states" not in checkpoint:
            raise KeyError(
                f"{self.ckpt_path}: this checkpoint holds only weights (save_weights_only=True) "
                "and cannot resume training; load it with `Model.load_from_checkpoint` instead"
            )
        optimizer_states = checkpoint["optimizer_states"]
        if len(optimizer_states) != len(trainer.optimizers):
            raise RuntimeError(
                f"{self.ckpt_path}: the checkpoint has {len(optimizer_states)} optimizer states "
                f"but `configure_optimizers` returned {len(trainer.optimizers)} optimizers"
            )
        for optimizer, state in zip(trainer.optimizers, optimizer_states):
            optimizer.load_state_dict(state)
        for config, state in zip(trainer.lr_scheduler_configs, checkpoint["lr_schedulers"]):
            config.scheduler.load_state_dict(state)
        precision_key = type(trainer.precision_plugin).__qualname__
        if precision_key in checkpoint:
            trainer.precision_plugin.load_state_dict(checkpoint[precision_key])
        trainer.fit_loop.load_state_dict(checkpoint["loops"]["fit_loop"])
        self._pending_rng = checkpoint.get("rng_states")
        self._pending_sampler_state = checkpoint.get("train_sampler_generator")

    def restore_rng_states(self) -> None:
        """Apply the saved random states (called when the resumed training starts)."""
        from .data_connector import sampler_generator

        if self._pending_rng is not None:
            _set_rng_states(self._pending_rng)
        if self._pending_sampler_state is not None:
            generator = sampler_generator(self.trainer.fit_loop.train_dataloader)
            if generator is None:
                warnings.warn(
                    f"{self.ckpt_path}: the checkpoint holds the state of the training "
                    "sampler's generator, but the training dataloader has no generator now; "
                    "the data order will differ from the original run",
                    stacklevel=2,
                )
            else:
                generator.set_state(self._pending_sampler_state)
        self._pending_rng = None
        self._pending_sampler_state = None

    def resume_end(self) -> None:
        """Drop the loaded checkpoint (its content now lives in the objects)."""
        self._loaded = None

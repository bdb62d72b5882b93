"""The trainer's list of callbacks: the user's, the built-in defaults, the model's.

Order (as Lightning): the callbacks given to the Trainer, then the defaults it adds (Timer for
``max_time``, the progress bar, the model summary), then the model's ``configure_callbacks()``
(which replace given callbacks of the same type); checkpoint callbacks always come last, so
that they save the state the other callbacks reached in the same hook.
"""

from __future__ import annotations

from ..utilities.exceptions import MisconfigurationException
from .call import call_module

__all__ = ["build_callbacks", "attach_model_callbacks"]


def _sort_checkpoints_last(callbacks: list) -> list:
    from ..callbacks.model_checkpoint import ModelCheckpoint

    others = [cb for cb in callbacks if not isinstance(cb, ModelCheckpoint)]
    return others + [cb for cb in callbacks if isinstance(cb, ModelCheckpoint)]


def build_callbacks(
    callbacks,
    *,
    enable_checkpointing: bool,
    enable_progress_bar: bool,
    enable_model_summary: bool,
    max_time,
) -> list:
    """The Trainer's callbacks: the given ones plus the defaults (see the module docstring)."""
    from ..callbacks.callback import Callback
    from ..callbacks.model_checkpoint import ModelCheckpoint
    from ..callbacks.timer import Timer

    if callbacks is None:
        callbacks = []
    elif isinstance(callbacks, Callback):
        callbacks = [callbacks]
    callbacks = list(callbacks)
    for callback in callbacks:
        if not isinstance(callback, Callback):
            raise TypeError(
                f"Trainer(callbacks=...): expected Callback instances, got "
                f"{type(callback).__name__}"
            )
    has_checkpoint = any(isinstance(cb, ModelCheckpoint) for cb in callbacks)
    if has_checkpoint and not enable_checkpointing:
        raise MisconfigurationException(
            "Trainer was configured with `enable_checkpointing=False` but found "
            "`ModelCheckpoint` in callbacks list."
        )
    if enable_checkpointing and not has_checkpoint:
        callbacks.append(ModelCheckpoint())
    if max_time is not None:
        if any(isinstance(cb, Timer) for cb in callbacks):
            raise MisconfigurationException(
                "Trainer(max_time=...) adds a Timer, but a Timer is already in the callbacks; "
                "keep one of the two"
            )
        callbacks.append(Timer(duration=max_time, interval="step"))
    callbacks.extend(_progress_bar(callbacks, enable_progress_bar))
    callbacks.extend(_model_summary(callbacks, enable_model_summary))
    return _sort_checkpoints_last(callbacks)


def _progress_bar(callbacks: list, enable: bool) -> list:
    from ..callbacks.progress import ProgressBar

    given = [cb for cb in callbacks if isinstance(cb, ProgressBar)]
    if len(given) > 1:
        raise MisconfigurationException(
            "You added multiple progress bar callbacks to the Trainer, but currently only one "
            "progress bar is supported."
        )
    if given and not enable:
        raise MisconfigurationException(
            "Trainer was configured with `enable_progress_bar=False` but found "
            f"`{type(given[0]).__name__}` in callbacks list."
        )
    if given or not enable:
        return []
    from ..callbacks.progress import TQDMProgressBar

    return [TQDMProgressBar()]


def _model_summary(callbacks: list, enable: bool) -> list:
    from ..callbacks.model_summary import ModelSummary

    if not enable or any(isinstance(cb, ModelSummary) for cb in callbacks):
        return []
    return [ModelSummary()]


def attach_model_callbacks(trainer) -> None:
    """Merge ``pl_module.configure_callbacks()`` into ``trainer.callbacks``."""
    model_callbacks = call_module(trainer, "configure_callbacks")
    if not model_callbacks:
        return
    if not isinstance(model_callbacks, (list, tuple)):
        model_callbacks = [model_callbacks]
    replaced = {type(cb) for cb in model_callbacks}
    kept = [cb for cb in trainer.callbacks if type(cb) not in replaced]
    trainer.callbacks = _sort_checkpoints_last(kept + list(model_callbacks))

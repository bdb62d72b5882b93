"""``load_from_checkpoint``: rebuild a LightningModule / LightningDataModule from a checkpoint.

The object is constructed from the checkpoint's ``"hyper_parameters"`` (those recorded by
``save_hyperparameters``), updated with the keyword arguments given, then its state is loaded.
"""

from __future__ import annotations

import inspect
import os
from typing import Any

__all__ = ["load_from_checkpoint", "CHECKPOINT_HYPER_PARAMS_KEY", "DATAMODULE_HPARAMS_KEY"]

CHECKPOINT_HYPER_PARAMS_KEY = "hyper_parameters"
CHECKPOINT_HYPER_PARAMS_NAME = "hparams_name"
DATAMODULE_HPARAMS_KEY = "datamodule_hyper_parameters"


def _init_kwargs(cls: type, hparams: dict[str, Any]) -> dict[str, Any]:
    """The subset of ``hparams`` that ``cls.__init__`` accepts (all of it with ``**kwargs``)."""
    params = inspect.signature(cls.__init__).parameters.values()
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params):
        return dict(hparams)
    names = {p.name for p in params}
    return {k: v for k, v in hparams.items() if k in names}


def load_from_checkpoint(
    cls,
    checkpoint_path: str | os.PathLike,
    map_location: Any = None,
    hparams_file: str | os.PathLike | None = None,
    strict: bool | None = None,
    weights_only: bool | None = None,
    **kwargs: Any,
):
    """Build an instance of this class from a checkpoint written by the Trainer.

    Args:
        checkpoint_path: the ``.ckpt`` file.
        map_location: where to put the tensors (as ``ember.load``); default: as saved.
        hparams_file: a YAML file of hyperparameters used instead of the checkpoint's.
        strict: require the state dict's keys to match the model's exactly (default True).
        weights_only: load only tensors, containers and primitive values (default True);
            False unpickles any object and is only for trusted files.
        **kwargs: arguments for ``__init__`` that override the saved hyperparameters.

    Returns:
        The new instance, with its weights (module) or state (datamodule) loaded.

    Example:
        >>> model = MyModel.load_from_checkpoint("epoch=9-step=100.ckpt")  # doctest: +SKIP
    """
    import ember

    from .datamodule import LightningDataModule

    path = os.fspath(checkpoint_path)
    checkpoint = ember.load(
        path, map_location=map_location, weights_only=True if weights_only is None else weights_only
    )
    is_datamodule = issubclass(cls, LightningDataModule)
    hparams_key = DATAMODULE_HPARAMS_KEY if is_datamodule else CHECKPOINT_HYPER_PARAMS_KEY
    if hparams_file is not None:
        import yaml

        with open(hparams_file) as fh:
            hparams = yaml.safe_load(fh) or {}
        checkpoint[hparams_key] = hparams
    hparams = dict(checkpoint.get(hparams_key) or {})
    hparams.update(kwargs)
    obj = cls(**_init_kwargs(cls, hparams))
    if is_datamodule:
        state = checkpoint.get(cls.__qualname__)
        if state:
            obj.load_state_dict(state)
        return obj
    if "state_dict" not in checkpoint:
        raise KeyError(
            f"{cls.__name__}.load_from_checkpoint({path!r}): the checkpoint has no 'state_dict' "
            f"(its keys: {sorted(checkpoint)})"
        )
    obj.on_load_checkpoint(checkpoint)
    obj.load_state_dict(checkpoint["state_dict"], strict=True if strict is None else strict)
    return obj

"""ember_lightning: a trainer in the shape of PyTorch Lightning, on Ember.

``LightningModule`` organises the model code, ``Trainer`` runs the loops (training,
validation, testing, prediction) with logging, checkpoints and progress bars taken care of.
Names, defaults and hook order follow Lightning's, so Lightning scripts run after changing the
imports. The package is imported lazily: ``import ember_lightning`` loads nothing heavy; the
trainer, the module and the callbacks load on first use.

Example:
    >>> import ember_lightning as L
    >>> L.seed_everything(0, verbose=False)
    0
"""

__version__ = "0.1.0"

# public name -> module that defines it (loaded on first access, so the import stays fast)
_LAZY_NAMES = {
    "LightningModule": "ember_lightning.core.module",
    "LightningDataModule": "ember_lightning.core.datamodule",
    "Trainer": "ember_lightning.trainer.trainer",
    "seed_everything": "ember_lightning.utilities.seed",
    "Callback": "ember_lightning.callbacks.callback",
}
_LAZY_SUBMODULES = {"callbacks", "core", "loggers", "strategies", "trainer", "utilities"}

__all__ = ["LightningModule", "LightningDataModule", "Trainer", "seed_everything", "Callback"]


def __getattr__(name):
    import importlib

    if name in _LAZY_NAMES:
        value = getattr(importlib.import_module(_LAZY_NAMES[name]), name)
        globals()[name] = value  # later look-ups skip this function
        return value
    if name in _LAZY_SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_LAZY_NAMES) | _LAZY_SUBMODULES)

"""``LightningModule``, ``LightningDataModule`` and the hooks they share (loaded lazily)."""

_LAZY_NAMES = {
    "LightningModule": "ember_lightning.core.module",
    "LightningDataModule": "ember_lightning.core.datamodule",
    "LightningOptimizer": "ember_lightning.core.optimizer",
}

__all__ = list(_LAZY_NAMES)


def __getattr__(name):
    if name in _LAZY_NAMES:
        import importlib

        return getattr(importlib.import_module(_LAZY_NAMES[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

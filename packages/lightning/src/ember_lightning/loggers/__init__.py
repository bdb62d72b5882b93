"""Experiment loggers: ``CSVLogger`` (the trainer's default), ``TensorBoardLogger``.

Names are loaded on first access, so ``import ember_lightning.loggers`` costs nothing until
a logger is used (tensorboardX, PyYAML and matplotlib are imported only when needed).
"""

import importlib

__all__ = ["CSVLogger", "DummyLogger", "Logger", "TensorBoardLogger", "plot_metrics"]

_LAZY_NAMES = {
    "Logger": "logger",
    "DummyLogger": "logger",
    "CSVLogger": "csv_logs",
    "TensorBoardLogger": "tensorboard",
    "plot_metrics": "plotting",
}


def __getattr__(name):
    if name in _LAZY_NAMES:
        module = importlib.import_module(f"{__name__}.{_LAZY_NAMES[name]}")
        value = getattr(module, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted([*globals(), *_LAZY_NAMES])

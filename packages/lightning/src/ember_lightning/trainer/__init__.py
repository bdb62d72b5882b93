"""The ``Trainer`` and its loops (loaded lazily)."""

__all__ = ["Trainer"]


def __getattr__(name):
    if name == "Trainer":
        from .trainer import Trainer

        return Trainer
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

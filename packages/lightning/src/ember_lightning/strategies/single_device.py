"""``SingleDeviceStrategy``: training in one process on one device (the default)."""

from __future__ import annotations

from typing import Any

from .strategy import Strategy

__all__ = ["SingleDeviceStrategy"]


class SingleDeviceStrategy(Strategy):
    """Train in this process alone, on ``device`` (Lightning's ``strategy="single_device"``).

    Every query about other processes has the one-process answer: rank 0 of 1, reductions and
    broadcasts return their input, barriers return at once.

    Args:
        device: the device to train on (default: the trainer's choice from ``accelerator``).

    Example:
        >>> from ember_lightning.strategies import SingleDeviceStrategy
        >>> SingleDeviceStrategy("cpu")
        SingleDeviceStrategy(device='cpu')
    """

    strategy_name = "single_device"

    def __init__(self, device: Any = None) -> None:
        super().__init__()
        if device is not None:
            import ember

            device = ember.device(device)
        self.root_device = device

    def __repr__(self) -> str:
        device = None if self.root_device is None else str(self.root_device)
        return f"SingleDeviceStrategy(device={device!r})"

"""``ember.cpu``: the CPU counterpart of ``ember.cuda`` (device queries that always answer).

Example:
    >>> import ember
    >>> ember.cpu.is_available(), ember.cpu.device_count()
    (True, 1)
"""

from __future__ import annotations

from . import amp

__all__ = ["amp", "is_available", "device_count", "current_device", "synchronize"]


def is_available() -> bool:
    """The CPU is always available."""
    return True


def device_count() -> int:
    """One CPU device."""
    return 1


def current_device() -> str:
    """``'cpu'``."""
    return "cpu"


def synchronize(device=None) -> None:
    """CPU work is synchronous: nothing to wait for."""

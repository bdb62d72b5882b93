"""``ember.accelerator``: the device-agnostic accelerator API (CUDA is the only one).

Example:
    >>> import ember
    >>> ember.accelerator.current_accelerator() in (None, ember.device("cuda"))
    True
"""

from __future__ import annotations

from .._device import device

__all__ = ["is_available", "current_accelerator", "device_count", "synchronize"]


def is_available() -> bool:
    """True when a GPU can be used."""
    from .. import cuda

    return cuda.is_available()


def current_accelerator(check_available: bool = False):
    """``device('cuda')`` when a GPU is present, else None."""
    from .. import cuda

    return device("cuda") if cuda.is_available() else None


def device_count() -> int:
    """The number of accelerators."""
    from .. import cuda

    return cuda.device_count()


def synchronize(device=None) -> None:
    """Wait for queued accelerator work (no-op without one)."""
    from .. import cuda

    if cuda.is_available():
        cuda.synchronize()

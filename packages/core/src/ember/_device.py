"""Devices: ``ember.device("cpu")``, ``ember.device("cuda:1")``, and the array module of each.

A tensor's device is read off its array: a NumPy array is on the CPU, a CuPy array on the GPU
it lives on. CuPy is imported only when a CUDA device is first used (see ``ember.backends``).

Example:
    >>> import ember
    >>> ember.device("cuda:1")
    device(type='cuda', index=1)
    >>> ember.device("cpu").type
    'cpu'
"""

from __future__ import annotations

__all__ = ["device", "CPU", "to_device", "device_of_array"]

_KNOWN_TYPES = ("cpu", "cuda", "meta", "mps", "xpu")


class device:
    """Where a tensor's data lives: ``type`` (``'cpu'`` or ``'cuda'``) and optional ``index``.

    Args:
        type: ``'cpu'``, ``'cuda'``, ``'cuda:N'``, or another ``device``.
        index: the device ordinal, for ``'cuda'``.
    """

    __slots__ = ("type", "index")

    def __init__(self, type, index: int | None = None):
        if isinstance(type, device):
            self.type, self.index = type.type, type.index
            return
        if isinstance(type, int) and not isinstance(type, bool):
            self.type, self.index = "cuda", type
            return
        if not isinstance(type, str):
            raise TypeError(f"device(): expected a string or a device, got {type!r}")
        name = type
        if ":" in name:
            if index is not None:
                raise RuntimeError(
                    f"device(): type (string) must not include an index because index was "
                    f"passed explicitly: {name}"
                )
            name, _, idx = name.partition(":")
            if not idx.isdigit():
                raise RuntimeError(f"Invalid device string: '{type}'")
            index = int(idx)
        if name not in _KNOWN_TYPES:
            raise RuntimeError(
                f"Expected one of cpu, cuda, meta, mps, xpu device type at start of device "
                f"string: {type}"
            )
        if index is not None and index < 0:
            raise RuntimeError(f"Device index must not be negative, got {index}")
        self.type = name
        self.index = index

    def __repr__(self) -> str:
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other) -> bool:
        if isinstance(other, str):
            try:
                other = device(other)
            except RuntimeError:
                return False
        if not isinstance(other, device):
            return NotImplemented
        return self.type == other.type and self.index == other.index

    def __hash__(self) -> int:
        return hash((self.type, self.index))

    def __reduce__(self):
        return (device, (self.type, self.index))

    def __enter__(self):
        from . import _creation

        _previous_defaults.append(_creation._default_device)
        _creation._default_device = self
        return self

    def __exit__(self, *exc):
        from . import _creation

        _creation._default_device = _previous_defaults.pop()


_previous_defaults: list = []  # default devices saved by nested ``with device(...)`` blocks


CPU = device("cpu")


def to_device(obj) -> device:
    """Accept a device, a string or an int (a CUDA ordinal)."""
    if obj.__class__ is device:
        return obj
    return device(obj)


def device_of_array(arr) -> device:
    """The device an array lives on: CPU for NumPy, ``cuda:N`` for CuPy."""
    dev = getattr(arr, "device", None)
    if dev is None or isinstance(dev, str):
        return CPU
    return device("cuda", int(dev.id))

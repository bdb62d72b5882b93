"""The CuPy module, or PyTorch's kind of RuntimeError where no GPU is available."""

from __future__ import annotations

from ..backends import _load_cupy


def require(op: str):
    cp = _load_cupy()
    if cp is None:
        raise RuntimeError(
            f"ember.cuda.{op}: no CUDA GPU is available (CuPy missing or no device); check "
            "ember.cuda.is_available() first"
        )
    return cp


def device_index(device, op: str) -> int:
    """The ordinal of ``device`` (None: the current GPU; an int, ``'cuda:N'`` or a device)."""
    cp = require(op)
    if device is None:
        return int(cp.cuda.runtime.getDevice())
    if isinstance(device, int) and not isinstance(device, bool):
        return device
    from .._device import to_device

    dev = to_device(device)
    if dev.type != "cuda":
        raise ValueError(f"ember.cuda.{op}: expected a CUDA device, got '{dev}'")
    return int(cp.cuda.runtime.getDevice()) if dev.index is None else dev.index

"""``ember.cuda``: GPU availability and device management (on CuPy, imported lazily).

Everything here answers without error on a machine without CuPy or a GPU:
``is_available()`` is False and ``device_count()`` is 0.

Example:
    >>> import ember
    >>> isinstance(ember.cuda.is_available(), bool)
    True
"""

from __future__ import annotations

from ..backends import _load_cupy, cuda_available

__all__ = [
    "is_available",
    "device_count",
    "current_device",
    "set_device",
    "synchronize",
    "get_device_name",
    "manual_seed",
    "manual_seed_all",
    "empty_cache",
    "memory_allocated",
    "max_memory_allocated",
    "is_bf16_supported",
]


def is_available() -> bool:
    """True when CuPy is installed and sees at least one GPU."""
    return cuda_available()


def device_count() -> int:
    """The number of visible GPUs (0 without CuPy or a GPU)."""
    cp = _load_cupy()
    return 0 if cp is None else int(cp.cuda.runtime.getDeviceCount())


def _require(op: str):
    cp = _load_cupy()
    if cp is None:
        raise RuntimeError(
            f"ember.cuda.{op}: no CUDA GPU is available (CuPy missing or no device); check "
            "ember.cuda.is_available() first"
        )
    return cp


def current_device() -> int:
    """The index of the current GPU."""
    return int(_require("current_device").cuda.runtime.getDevice())


def set_device(device) -> None:
    """Make ``device`` (an index or ``ember.device``) the current GPU."""
    from .._device import to_device

    index = device if isinstance(device, int) else (to_device(device).index or 0)
    _require("set_device").cuda.runtime.setDevice(index)


def synchronize(device=None) -> None:
    """Wait for all work queued on the GPU to finish."""
    _require("synchronize").cuda.runtime.deviceSynchronize()


def get_device_name(device=None) -> str:
    """The GPU's product name."""
    cp = _require("get_device_name")
    index = 0 if device is None else (device if isinstance(device, int) else device.index or 0)
    name = cp.cuda.runtime.getDeviceProperties(index)["name"]
    return name.decode() if isinstance(name, bytes) else name


def manual_seed(seed: int) -> None:
    """Seed the GPU random generator (Ember uses one generator for all devices)."""
    from ..random import manual_seed as _seed

    _seed(seed)


manual_seed_all = manual_seed


def empty_cache() -> None:
    """Release cached GPU memory blocks back to the driver (no-op without a GPU)."""
    cp = _load_cupy()
    if cp is not None:
        cp.get_default_memory_pool().free_all_blocks()


def memory_allocated(device=None) -> int:
    """Bytes of GPU memory held by tensors (0 without a GPU)."""
    cp = _load_cupy()
    return 0 if cp is None else int(cp.get_default_memory_pool().used_bytes())


def max_memory_allocated(device=None) -> int:
    """Bytes of GPU memory reserved by Ember's pool (0 without a GPU)."""
    cp = _load_cupy()
    return 0 if cp is None else int(cp.get_default_memory_pool().total_bytes())


def is_bf16_supported() -> bool:
    return False

"""``ember.cuda``: GPU availability and device management (on CuPy, imported lazily).

Everything here answers without error on a machine without CuPy or a GPU:
``is_available()`` is False, ``device_count()`` is 0, the memory counters are 0; what needs
a GPU (``current_device``, ``Stream``, ``Event``, ``get_device_properties``, entering
``device(0)``...) raises a RuntimeError that says so, where PyTorch raises too.

Example:
    >>> import ember
    >>> isinstance(ember.cuda.is_available(), bool)
    True
    >>> ember.cuda.memory_allocated() >= 0
    True
"""

from __future__ import annotations

from ..backends import _load_cupy, cuda_available
from ._require import device_index, require
from .memory import (
    OutOfMemoryError,
    empty_cache,
    max_memory_allocated,
    max_memory_reserved,
    mem_get_info,
    memory_allocated,
    memory_reserved,
    memory_stats,
    memory_summary,
    reset_max_memory_allocated,
    reset_peak_memory_stats,
)
from .streams import Event, Stream, StreamContext, current_stream, default_stream, stream

__all__ = [
    "is_available",
    "is_initialized",
    "device_count",
    "current_device",
    "set_device",
    "device",
    "device_of",
    "synchronize",
    "get_device_name",
    "get_device_properties",
    "get_device_capability",
    "manual_seed",
    "manual_seed_all",
    "seed",
    "empty_cache",
    "memory_allocated",
    "max_memory_allocated",
    "memory_reserved",
    "max_memory_reserved",
    "reset_peak_memory_stats",
    "reset_max_memory_allocated",
    "memory_stats",
    "memory_summary",
    "mem_get_info",
    "is_bf16_supported",
    "Stream",
    "Event",
    "StreamContext",
    "stream",
    "current_stream",
    "default_stream",
    "OutOfMemoryError",
]


def is_available() -> bool:
    """True when CuPy is installed and sees at least one GPU."""
    return cuda_available()


def is_initialized() -> bool:
    """True once CuPy has been loaded and a GPU found."""
    from .. import backends

    return backends._cupy is not None


def device_count() -> int:
    """The number of visible GPUs (0 without CuPy or a GPU)."""
    cp = _load_cupy()
    return 0 if cp is None else int(cp.cuda.runtime.getDeviceCount())


def current_device() -> int:
    """The index of the current GPU."""
    return int(require("current_device").cuda.runtime.getDevice())


def set_device(device) -> None:
    """Make ``device`` (an index, ``'cuda:N'`` or ``ember.device``) the current GPU; a
    negative index is a no-op, as in PyTorch."""
    if isinstance(device, int) and not isinstance(device, bool) and device < 0:
        return
    require("set_device").cuda.runtime.setDevice(device_index(device, "set_device"))


class device:
    """Make ``device`` the current GPU inside a ``with`` block, then restore the previous one.

    Args:
        device: an index, ``'cuda:N'`` or ``ember.device``; None or -1 make the block a no-op.
    """

    def __init__(self, device):
        if device is None or (isinstance(device, int) and device == -1):
            self.idx = -1
        elif isinstance(device, int) and not isinstance(device, bool):
            self.idx = device
        else:
            from .._device import to_device

            dev = to_device(device)
            if dev.type != "cuda":
                raise ValueError(f"ember.cuda.device: expected a CUDA device, got '{dev}'")
            self.idx = 0 if dev.index is None else dev.index
        self.prev_idx = -1

    def __enter__(self):
        if self.idx == -1:
            return self
        cp = require("device")
        self.prev_idx = int(cp.cuda.runtime.getDevice())
        if self.prev_idx != self.idx:
            cp.cuda.runtime.setDevice(self.idx)
        return self

    def __exit__(self, *exc):
        if self.idx != -1 and self.prev_idx != self.idx:
            require("device").cuda.runtime.setDevice(self.prev_idx)
        return False


class device_of(device):
    """``device(tensor's GPU)`` for a CUDA tensor; a no-op for a CPU tensor."""

    def __init__(self, obj):
        d = obj.device
        super().__init__(d.index if d.type == "cuda" and d.index is not None else -1)


def synchronize(device=None) -> None:
    """Wait for all work queued on the GPU to finish."""
    cp = require("synchronize")
    with cp.cuda.Device(device_index(device, "synchronize")):
        cp.cuda.runtime.deviceSynchronize()


class _CudaDeviceProperties:
    """What ``get_device_properties`` returns: name, memory, compute capability, SMs."""

    __slots__ = ("name", "total_memory", "major", "minor", "multi_processor_count", "uuid")

    def __init__(self, props: dict):
        name = props["name"]
        self.name = name.decode() if isinstance(name, bytes) else str(name)
        self.total_memory = int(props["totalGlobalMem"])
        self.major = int(props["major"])
        self.minor = int(props["minor"])
        self.multi_processor_count = int(props["multiProcessorCount"])
        uuid = props.get("uuid", b"")
        self.uuid = uuid.hex() if isinstance(uuid, bytes) else str(uuid)

    def __repr__(self) -> str:
        return (
            f"_CudaDeviceProperties(name='{self.name}', major={self.major}, minor={self.minor}, "
            f"total_memory={self.total_memory // (1024 * 1024)}MB, "
            f"multi_processor_count={self.multi_processor_count})"
        )


def get_device_properties(device=None) -> _CudaDeviceProperties:
    """Name, total memory, compute capability and multiprocessor count of a GPU."""
    cp = require("get_device_properties")
    index = device_index(device, "get_device_properties")
    if index >= device_count():
        raise AssertionError("Invalid device id")
    return _CudaDeviceProperties(cp.cuda.runtime.getDeviceProperties(index))


def get_device_capability(device=None) -> tuple:
    """The compute capability ``(major, minor)`` of a GPU."""
    props = get_device_properties(device)
    return props.major, props.minor


def get_device_name(device=None) -> str:
    """The GPU's product name."""
    return get_device_properties(device).name


def manual_seed(seed: int) -> None:
    """Seed the GPU random generator (Ember uses one generator for all devices)."""
    from ..random import manual_seed as _seed

    _seed(seed)


manual_seed_all = manual_seed


def seed() -> None:
    """Seed the random generator with a non-deterministic number."""
    from ..random import seed as _seed

    _seed()


def is_bf16_supported(including_emulation: bool = True) -> bool:
    """Whether bfloat16 tensors can live on the GPU: needs a GPU and the ``ml_dtypes``
    package (CuPy stores bfloat16 through it)."""
    from .._dtype import _bfloat16_numpy

    return is_available() and _bfloat16_numpy() is not None


def __getattr__(name):
    if name == "amp":
        import importlib

        return importlib.import_module(f"{__name__}.amp")
    raise AttributeError(f"module 'ember.cuda' has no attribute '{name}'")

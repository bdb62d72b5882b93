"""GPU memory statistics and the memory summary (``ember.cuda.memory_allocated`` etc.).

Without a GPU the byte counts are 0, ``memory_stats`` is empty and ``memory_summary`` says
that no GPU is present, as PyTorch's do on a machine without CUDA.
"""

from __future__ import annotations

from collections import OrderedDict

from ..backends import _load_cupy
from ..backends.cuda import memory as _mem
from ._require import device_index

__all__ = [
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
    "OutOfMemoryError",
]

OutOfMemoryError = _mem.OutOfMemoryError


def _pool_bytes(device, op):
    """``(index, used, held)`` of Ember's pool on ``device``, or None without a GPU."""
    cp = _load_cupy()
    if cp is None:
        return None
    index = device_index(device, op)
    with cp.cuda.Device(index):
        pool = cp.get_default_memory_pool()
        return index, int(pool.used_bytes()), int(pool.total_bytes())


def empty_cache() -> None:
    """Release the pool's cached (unused) GPU memory blocks to the driver (no-op without a
    GPU)."""
    cp = _load_cupy()
    if cp is not None:
        cp.get_default_memory_pool().free_all_blocks()


def memory_allocated(device=None) -> int:
    """Bytes of GPU memory held by tensors on ``device`` (0 without a GPU)."""
    got = _pool_bytes(device, "memory_allocated")
    return 0 if got is None else got[1]


def max_memory_allocated(device=None) -> int:
    """The peak of ``memory_allocated`` since start or ``reset_peak_memory_stats``."""
    got = _pool_bytes(device, "max_memory_allocated")
    return 0 if got is None else max(_mem.peak_bytes(got[0]), got[1])


def memory_reserved(device=None) -> int:
    """Bytes of GPU memory the pool holds: in use by tensors plus cached (0 without a GPU)."""
    got = _pool_bytes(device, "memory_reserved")
    return 0 if got is None else got[2]


def max_memory_reserved(device=None) -> int:
    """Bytes reserved by the pool now (CuPy's pool keeps no peak of its reservations)."""
    return memory_reserved(device)


def reset_peak_memory_stats(device=None) -> None:
    """Restart the peak tracked by ``max_memory_allocated`` from the current usage (no-op
    without a GPU)."""
    got = _pool_bytes(device, "reset_peak_memory_stats")
    if got is not None:
        _mem.reset_peak(got[0], got[1])


reset_max_memory_allocated = reset_peak_memory_stats


def memory_stats(device=None) -> OrderedDict:
    """PyTorch-named counters: ``allocated_bytes.all.current``/``peak``,
    ``reserved_bytes.all.current``, ``inactive_split_bytes.all.current``, ``num_ooms``
    (empty without a GPU)."""
    got = _pool_bytes(device, "memory_stats")
    if got is None:
        return OrderedDict()
    index, used, held = got
    return OrderedDict(
        [
            ("allocated_bytes.all.current", used),
            ("allocated_bytes.all.peak", max(_mem.peak_bytes(index), used)),
            ("reserved_bytes.all.current", held),
            ("inactive_split_bytes.all.current", held - used),
            ("num_ooms", _mem.num_ooms(index)),
        ]
    )


def mem_get_info(device=None) -> tuple:
    """``(free, total)`` bytes of the GPU, as the driver reports them."""
    from ._require import require

    cp = require("mem_get_info")
    with cp.cuda.Device(device_index(device, "mem_get_info")):
        free, total = cp.cuda.runtime.memGetInfo()
    return int(free), int(total)


def memory_summary(device=None, abbreviated: bool = False) -> str:
    """A printable table of the GPU memory counters of ``device``."""
    stats = memory_stats(device)
    width = 75
    rule = "|" + "=" * (width - 2) + "|"
    if not stats:
        return (
            f"{rule}\n|{'Ember CUDA memory summary':^{width - 2}}|\n{rule}\n"
            f"|{' No CUDA GPU is available (ember.cuda.is_available() is False).':<{width - 2}}|"
            f"\n{rule}\n"
        )
    index = device_index(device, "memory_summary")
    rows = [
        ("Allocated memory (tensors)", stats["allocated_bytes.all.current"]),
        ("Peak allocated memory", stats["allocated_bytes.all.peak"]),
        ("Reserved memory (pool)", stats["reserved_bytes.all.current"]),
        ("Cached, not in use", stats["inactive_split_bytes.all.current"]),
    ]
    lines = [rule, f"|{f'Ember CUDA memory summary, device ID {index}':^{width - 2}}|", rule]
    for name, value in rows:
        lines.append(f"| {name:<40}{_mem.format_bytes(value):>31} |")
    lines.append(f"| {'Out-of-memory errors':<40}{stats['num_ooms']:>31} |")
    lines.append(rule)
    return "\n".join(lines) + "\n"

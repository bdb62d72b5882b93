"""GPU memory accounting: Ember's allocator over CuPy's memory pool.

Installed when CuPy is first loaded (``ember.backends._load_cupy``). Every allocation goes
through ``_malloc``: it asks CuPy's pool, and on failure frees the pool's cached blocks and
retries once (as PyTorch's caching allocator does) before raising ``OutOfMemoryError``, whose
message says how much was requested, how much tensors hold and how much the pool caches. The
peak of the bytes held by tensors is updated after each allocation, which is where peaks
happen, so ``max_memory_allocated`` is exact.

Nothing here imports CuPy at import time.
"""

from __future__ import annotations

__all__ = ["OutOfMemoryError", "install", "peak_bytes", "reset_peak", "num_ooms", "oom_message"]


class OutOfMemoryError(RuntimeError):
    """The GPU could not satisfy an allocation (PyTorch's ``torch.cuda.OutOfMemoryError``)."""


_peak: dict = {}  # device ordinal -> peak bytes held by tensors
_ooms: dict = {}  # device ordinal -> number of out-of-memory errors raised


def format_bytes(n: int) -> str:
    """``n`` bytes in the largest binary unit that keeps the number at or above 1."""
    value = float(n)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024.0 or unit == "GiB":
            return f"{value:.2f} {unit}" if unit != "B" else f"{int(value)} B"
        value /= 1024.0
    return f"{value:.2f} GiB"


def oom_message(requested: int, in_use: int, cached: int, device: int, total=None, free=None):
    """The text of an out-of-memory error (testable without a GPU)."""
    text = f"CUDA out of memory. Tried to allocate {format_bytes(requested)}."
    if total is not None and free is not None:
        text += (
            f" GPU {device} has a total capacity of {format_bytes(total)} of which "
            f"{format_bytes(free)} is free."
        )
    text += (
        f" Of the memory Ember manages on GPU {device}, {format_bytes(in_use)} is in use by "
        f"tensors and {format_bytes(cached)} is cached by the memory pool but unused "
        "(ember.cuda.empty_cache() returns it to the driver). Free tensors you no longer "
        "need (del, or .detach() of results kept for logging), or lower the batch size."
    )
    return text


def install(cp) -> None:
    """Route CuPy's allocations through ``_malloc`` (once per process)."""
    pool = cp.get_default_memory_pool()
    cuda_oom = cp.cuda.memory.OutOfMemoryError
    get_device = cp.cuda.runtime.getDevice
    peak = _peak

    def _malloc(size: int):
        try:
            mem = pool.malloc(size)
        except cuda_oom:
            pool.free_all_blocks()
            try:
                mem = pool.malloc(size)
            except cuda_oom:
                dev = get_device()
                _ooms[dev] = _ooms.get(dev, 0) + 1
                used, held = pool.used_bytes(), pool.total_bytes()
                try:
                    free, total = cp.cuda.runtime.memGetInfo()
                except Exception:
                    free = total = None
                raise OutOfMemoryError(
                    oom_message(size, used, held - used, dev, total, free)
                ) from None
        used = pool.used_bytes()
        dev = get_device()
        if used > peak.get(dev, 0):
            peak[dev] = used
        return mem

    cp.cuda.set_allocator(_malloc)


def peak_bytes(device: int) -> int:
    return _peak.get(device, 0)


def reset_peak(device: int, current: int) -> None:
    _peak[device] = current


def num_ooms(device: int) -> int:
    return _ooms.get(device, 0)

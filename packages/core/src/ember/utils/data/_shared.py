"""Moving batches from worker processes through shared memory.

A worker writes every array of a collated batch into one shared-memory segment and sends only
a small description (segment name, offsets, shapes, dtypes, and the batch's structure)
through the result queue. The main process maps the segment, copies the arrays out, and
unlinks the segment at once, so no segment outlives the batch it carried.
"""

from __future__ import annotations

from multiprocessing import resource_tracker, shared_memory

import numpy as np

__all__ = ["pack", "unpack", "discard", "sweep"]

_ALIGN = 64


class _ArrayRef:
    __slots__ = ("offset", "shape", "dtype", "is_tensor")

    def __init__(self, offset, shape, dtype, is_tensor):
        self.offset = offset
        self.shape = shape
        self.dtype = dtype
        self.is_tensor = is_tensor


def _collect(obj, arrays):
    """Replace arrays/tensors in ``obj`` by ``_ArrayRef`` placeholders (offsets filled later)."""
    from ..._tensor import Tensor

    if isinstance(obj, Tensor):
        arr = obj.detach()._data
        if arr.__class__ is not np.ndarray:
            arr = arr.get()
        arrays.append(np.ascontiguousarray(arr))
        return _ArrayRef(0, arr.shape, arr.dtype.str, True)
    if isinstance(obj, np.ndarray) and obj.dtype.kind not in "OUS":
        arrays.append(np.ascontiguousarray(obj))
        return _ArrayRef(0, obj.shape, obj.dtype.str, False)
    if isinstance(obj, dict):
        collected = {k: _collect(v, arrays) for k, v in obj.items()}
        return collected if type(obj) is dict else type(obj)(collected)
    if isinstance(obj, tuple) and hasattr(obj, "_fields"):
        return type(obj)(*(_collect(v, arrays) for v in obj))
    if isinstance(obj, (list, tuple)):
        return type(obj)(_collect(v, arrays) for v in obj)
    return obj


def pack(batch, name=None):
    """Put the arrays of ``batch`` into one new shared-memory segment (called ``name``).

    Returns ``(segment_name or None, structure)``; the caller sends both to the main process.
    """
    arrays: list = []
    structure = _collect(batch, arrays)
    if not arrays:
        return None, structure
    offsets, total = [], 0
    for a in arrays:
        offsets.append(total)
        total += (a.nbytes + _ALIGN - 1) // _ALIGN * _ALIGN
    shm = shared_memory.SharedMemory(name=name, create=True, size=max(total, 1))
    # The main process owns the segment from here on: it unlinks it after copying.
    resource_tracker.unregister(shm._name, "shared_memory")
    refs = []
    _refs(structure, refs)
    for a, off, ref in zip(arrays, offsets, refs):
        ref.offset = off
        np.ndarray(a.shape, a.dtype, buffer=shm.buf, offset=off)[...] = a
    name = shm.name
    shm.close()
    return name, structure


def _refs(obj, out):
    if isinstance(obj, _ArrayRef):
        out.append(obj)
    elif isinstance(obj, dict):
        for v in obj.values():
            _refs(v, out)
    elif isinstance(obj, (list, tuple)):
        for v in obj:
            _refs(v, out)


def _rebuild(obj, buf):
    from ..._tensor import _make

    if isinstance(obj, _ArrayRef):
        arr = np.ndarray(obj.shape, np.dtype(obj.dtype), buffer=buf, offset=obj.offset).copy()
        return _make(arr, False, None) if obj.is_tensor else arr
    if isinstance(obj, dict):
        rebuilt = {k: _rebuild(v, buf) for k, v in obj.items()}
        return rebuilt if type(obj) is dict else type(obj)(rebuilt)
    if isinstance(obj, tuple) and hasattr(obj, "_fields"):
        return type(obj)(*(_rebuild(v, buf) for v in obj))
    if isinstance(obj, (list, tuple)):
        return type(obj)(_rebuild(v, buf) for v in obj)
    return obj


def unpack(name, structure):
    """Rebuild a batch from its segment (copying the arrays out) and unlink the segment."""
    if name is None:
        return _rebuild(structure, None)
    shm = _attach(name)
    try:
        return _rebuild(structure, shm.buf)
    finally:
        shm.close()
        _unlink(shm)


def discard(name) -> None:
    """Unlink a segment whose batch will never be read (shutdown)."""
    if name is None:
        return
    try:
        shm = _attach(name)
    except FileNotFoundError:
        return
    shm.close()
    _unlink(shm)


def _attach(name):
    shm = shared_memory.SharedMemory(name=name)
    # Attaching registers the segment with this process's resource tracker (before Python
    # 3.13); the segment is unlinked by hand below, so take it off the tracker's list.
    resource_tracker.unregister(shm._name, "shared_memory")
    return shm


def _unlink(shm) -> None:
    # SharedMemory.unlink() also unregisters from the resource tracker, which never saw
    # this segment (the worker unregistered it); unlink the file directly instead.
    try:
        import _posixshmem
    except ImportError:  # Windows: the segment goes away with its last handle
        return
    try:
        _posixshmem.shm_unlink(shm._name)
    except FileNotFoundError:
        pass


def sweep(prefix: str) -> None:
    """Unlink every segment whose name starts with ``prefix`` (segments of a loader whose
    worker died before it could send them)."""
    import os

    try:
        names = os.listdir("/dev/shm")
    except OSError:  # no /dev/shm to look in (not Linux)
        return
    for entry in names:
        if entry.startswith(prefix):
            discard("/" + entry)

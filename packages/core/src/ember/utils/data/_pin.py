"""Page-locked ("pinned") host memory for ``DataLoader(pin_memory=True)`` and
``Tensor.pin_memory()``.

With a GPU, a pinned batch is a NumPy array over memory from CuPy's pinned-memory pool, which
the GPU's copy engines read directly (faster host-to-device copies). Without a GPU,
``pin_memory=True`` in a DataLoader does nothing beyond PyTorch's warning.
"""

from __future__ import annotations

import warnings
from collections import abc

import numpy as np

__all__ = ["pin_memory", "is_pinned_array", "pin_array", "pinning_iterator"]


def is_pinned_array(arr) -> bool:
    """True when ``arr`` (a NumPy array) lives in page-locked memory from CuPy's pool."""
    from ...backends import _cupy

    if _cupy is None or arr.__class__ is not np.ndarray:
        return False
    pinned = _cupy.cuda.PinnedMemoryPointer
    base = arr
    while base is not None:
        if isinstance(base, pinned):
            return True
        base = (
            getattr(base, "base", None)
            if isinstance(base, np.ndarray)
            else getattr(base, "obj", None)
        )
    return False


def pin_array(arr) -> np.ndarray:
    """A copy of the NumPy array ``arr`` in page-locked memory (needs a GPU)."""
    from ...backends import _load_cupy

    cp = _load_cupy()
    if cp is None:
        raise RuntimeError(
            "pin_memory: page-locked memory needs a CUDA GPU, and none is available "
            "(ember.cuda.is_available() is False)"
        )
    mem = cp.cuda.alloc_pinned_memory(max(arr.nbytes, 1))
    out = np.frombuffer(mem, arr.dtype, arr.size).reshape(arr.shape)
    out[...] = arr
    return out


def pin_memory(data):
    """``data`` (tensors, or mappings / sequences / named tuples of them) with every CPU tensor
    copied to page-locked memory; other values unchanged."""
    from ..._tensor import Tensor, _make

    if isinstance(data, Tensor):
        if data._data.__class__ is not np.ndarray or is_pinned_array(data._data):
            return data
        return _make(pin_array(data._data), False, None)
    if isinstance(data, abc.Mapping):
        return type(data)({k: pin_memory(v) for k, v in data.items()})
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(pin_memory(v) for v in data))
    if isinstance(data, (list, tuple)):
        return type(data)(pin_memory(v) for v in data)
    return data


class _PinningIterator:
    """Wraps a DataLoader iterator; each batch comes out in pinned memory."""

    def __init__(self, iterator):
        self._iterator = iterator

    def __iter__(self):
        return self

    def __next__(self):
        return pin_memory(next(self._iterator))

    def __len__(self):
        return len(self._iterator)


def pinning_iterator(iterator):
    """``iterator`` whose batches are pinned when a GPU is present; without one, the iterator
    itself, after PyTorch's warning."""
    from ... import cuda

    if not cuda.is_available():
        warnings.warn(
            "'pin_memory' argument is set as true but no accelerator is found, then device "
            "pinned memory won't be used.",
            stacklevel=3,
        )
        return iterator
    return _PinningIterator(iterator)

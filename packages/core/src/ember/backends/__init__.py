"""What differs between NumPy and CuPy: the array module of a device and of an array.

CuPy is imported on first use of a CUDA device, never by ``import ember``. ``cudnn`` holds
PyTorch's ``torch.backends.cudnn`` flags so that scripts that set them run unchanged.
"""

from __future__ import annotations

import numpy as np

from . import cudnn

__all__ = ["array_module", "array_module_of", "cupy_ndarray_type", "cuda_available", "cudnn"]

_cupy = None
_cupy_checked = False


def _load_cupy():
    global _cupy, _cupy_checked
    if not _cupy_checked:
        _cupy_checked = True
        try:
            import cupy

            if cupy.cuda.runtime.getDeviceCount() > 0:
                from .cuda import memory

                memory.install(cupy)  # peak tracking and out-of-memory messages
                _cupy = cupy
        except Exception:
            _cupy = None
    return _cupy


_kernels = None  # ember.backends.cuda.kernels once loaded (tests may put the NumPy twin here)


def cuda_kernels():
    """``ember.backends.cuda.kernels`` (the custom CUDA kernels; imported on first use)."""
    global _kernels
    if _kernels is None:
        from .cuda import kernels

        _kernels = kernels
    return _kernels


def cuda_available() -> bool:
    """True when CuPy imports and sees at least one GPU; never raises."""
    return _load_cupy() is not None


def cupy_ndarray_type():
    """CuPy's ndarray class, or a placeholder class no array is an instance of."""
    cp = _cupy
    return cp.ndarray if cp is not None else _NoCupyArray


class _NoCupyArray:
    pass


def array_module(device):
    """NumPy for a CPU device, CuPy for a CUDA device (with a clear error when unavailable)."""
    if device.type == "cpu":
        return np
    if device.type == "cuda":
        cp = _load_cupy()
        if cp is None:
            raise RuntimeError(
                f"ember: device '{device}' requested, but no CUDA backend is available: "
                "install ember[cuda12] or ember[cuda13] (CuPy) on a machine with an NVIDIA GPU. "
                "ember.cuda.is_available() tells whether one is present."
            )
        return cp
    raise RuntimeError(f"ember: device type '{device.type}' is not supported (use 'cpu' or 'cuda')")


def array_module_of(arr):
    """The array module an array belongs to."""
    return np if arr.__class__ is np.ndarray or _cupy is None else _cupy.get_array_module(arr)

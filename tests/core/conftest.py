"""``fake_cuda``: a stand-in for CuPy and one GPU, so that device logic (moves between
devices, mixing errors, state dicts and ``map_location``, and the routing of ops to the CUDA
kernels) runs on machines without a GPU.

"GPU" arrays are a NumPy subclass whose ``device.id`` is 0; the fake ``cupy`` module forwards
to NumPy and returns such arrays, and, like CuPy, refuses to mix them with host arrays in one
ufunc. The CUDA kernel functions are replaced by their NumPy counterparts
(``ember.backends.cpu.kernels``), which exercises the GPU code paths of the ops around the
kernels.
"""

from __future__ import annotations

import sys
import types

import numpy as np
import pytest


class _FakeDevice:
    def __init__(self, index=0):
        self.id = int(index)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def use(self):
        pass


class FakeCudaArray(np.ndarray):
    """A NumPy array that says it lives on GPU 0."""

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        for a in (*inputs, *kwargs.get("out", ())):
            # as CuPy: no host arrays in GPU math (except inside the kernels' NumPy twins)
            if a.__class__ is np.ndarray and a.ndim and not _IN_KERNEL:
                raise TypeError(f"Unsupported type {type(a)}")
        args = [a.view(np.ndarray) if isinstance(a, FakeCudaArray) else a for a in inputs]
        if "out" in kwargs:
            kwargs["out"] = tuple(
                o.view(np.ndarray) if isinstance(o, FakeCudaArray) else o for o in kwargs["out"]
            )
        result = getattr(ufunc, method)(*args, **kwargs)
        return _to_fake(result)

    def __array_function__(self, func, types, args, kwargs):
        # as CuPy's: NumPy functions of GPU arrays give GPU arrays (np.where, np.concatenate...)
        return _to_fake(super().__array_function__(func, types, args, kwargs))

    @property
    def device(self):
        return _FakeDevice(0)

    def get(self):
        return np.array(self.view(np.ndarray), copy=True)


class FakePinnedMemory(bytearray):
    """Stands in for CuPy's page-locked host buffer (``alloc_pinned_memory(nbytes)``)."""


def _to_fake(value):
    if isinstance(value, np.ndarray) and value.__class__ is not FakeCudaArray:
        return value.view(FakeCudaArray)
    if isinstance(value, np.generic):  # CuPy returns 0-d arrays where NumPy returns scalars
        return np.asarray(value).view(FakeCudaArray)
    if isinstance(value, tuple):
        return tuple(_to_fake(v) for v in value)
    if isinstance(value, list):
        return [_to_fake(v) for v in value]
    return value


_IN_KERNEL = False  # True while a kernel's NumPy twin runs (it may use host arrays inside)


class _Forward(types.ModuleType):
    """A module forwarding to a NumPy namespace, returning fake GPU arrays."""

    def __init__(self, name, target, lenient=False):
        super().__init__(name)
        self._target = target
        self._lenient = lenient

    def __getattr__(self, name):
        value = getattr(self._target, name)
        if isinstance(value, types.ModuleType):
            return _Forward(f"{self.__name__}.{name}", value)
        if callable(value) and not isinstance(value, type):
            lenient = self._lenient

            def call(*args, **kwargs):
                global _IN_KERNEL
                before = _IN_KERNEL
                _IN_KERNEL = before or lenient
                try:
                    return _to_fake(value(*args, **kwargs))
                finally:
                    _IN_KERNEL = before

            return call
        return value


def _make_fake_cupy():
    cp = _Forward("cupy", np)
    cp.ndarray = FakeCudaArray
    cp.get_array_module = lambda *arrays: (
        cp if any(isinstance(a, FakeCudaArray) for a in arrays) else np
    )
    cp.asnumpy = lambda a: np.asarray(a).view(np.ndarray).copy()
    runtime = types.SimpleNamespace(
        getDeviceCount=lambda: 1,
        getDevice=lambda: 0,
        setDevice=lambda i: None,
        deviceSynchronize=lambda: None,
    )
    cp.cuda = types.SimpleNamespace(
        Device=_FakeDevice,
        runtime=runtime,
        PinnedMemoryPointer=FakePinnedMemory,
        alloc_pinned_memory=FakePinnedMemory,
    )
    return cp


@pytest.fixture
def fake_cuda(monkeypatch):
    """Pretend CuPy and one GPU are present (see the module docstring), with the CUDA kernels
    replaced by their NumPy counterparts; yields the fake ``cupy`` module."""
    import scipy.special

    import ember
    from ember import backends
    from ember.autograd import graph
    from ember.backends.cpu import kernels

    cp = _make_fake_cupy()
    cupyx = types.ModuleType("cupyx")
    cupyx.scipy = types.ModuleType("cupyx.scipy")
    cupyx.scipy.special = _Forward("cupyx.scipy.special", scipy.special)
    monkeypatch.setitem(sys.modules, "cupy", cp)
    monkeypatch.setitem(sys.modules, "cupyx", cupyx)
    monkeypatch.setitem(sys.modules, "cupyx.scipy", cupyx.scipy)
    monkeypatch.setitem(sys.modules, "cupyx.scipy.special", cupyx.scipy.special)
    monkeypatch.setattr(backends, "_cupy", cp)
    monkeypatch.setattr(backends, "_cupy_checked", True)
    monkeypatch.setattr(backends, "_kernels", _Forward("kernels", kernels, lenient=True))
    monkeypatch.setattr(graph, "_CUPY_NS", None)
    assert ember.cuda.is_available()
    yield cp

"""Tensor creation: ``tensor``, ``as_tensor``, ``from_numpy``, ``zeros``/``ones``/``full``/
``empty`` (and ``_like``), ``arange``, ``linspace``, ``logspace``, ``eye``, the legacy typed
constructors, and the default device.

Python data follows PyTorch's inference: bools give ``bool``, ints ``int64``, floats the
default dtype (float32), complex numbers the default complex dtype. NumPy arrays keep their
dtype, so float64 data stays float64.

Example:
    >>> import ember
    >>> ember.tensor([[1, 2], [3, 4]]).dtype
    ember.int64
    >>> ember.zeros(2, 3).shape
    ember.Size([2, 3])
"""

from __future__ import annotations

import numbers

import numpy as np

from . import _dtype as D
from ._device import CPU, device, to_device
from ._tensor import Tensor, _init, _make

__all__ = [
    "tensor",
    "as_tensor",
    "asarray",
    "from_numpy",
    "from_dlpack",
    "zeros",
    "ones",
    "full",
    "empty",
    "zeros_like",
    "ones_like",
    "full_like",
    "empty_like",
    "arange",
    "range",
    "linspace",
    "logspace",
    "eye",
    "empty_strided",
    "scalar_tensor",
    "set_default_device",
    "get_default_device",
    "FloatTensor",
    "DoubleTensor",
    "HalfTensor",
    "LongTensor",
    "IntTensor",
    "ShortTensor",
    "CharTensor",
    "BoolTensor",
    "ByteTensor",
]

_default_device = None
_builtin_range = range


def set_default_device(dev) -> None:
    """Set the device on which factory functions create tensors (None resets to CPU)."""
    global _default_device
    _default_device = None if dev is None else to_device(dev)


def get_default_device() -> device:
    """The device factory functions use when none is given."""
    return _default_device or CPU


def _xp(dev):
    if dev is None:
        dev = _default_device
        if dev is None:
            return np
    dev = to_device(dev)
    if dev.type == "cpu":
        return np
    from .backends import array_module

    return array_module(dev)


def _place(arr: np.ndarray, dev):
    """Move a NumPy array to ``dev`` (no-op for the CPU)."""
    xp = _xp(dev)
    if xp is np:
        return arr
    with xp.cuda.Device(to_device(dev).index or 0):
        return xp.asarray(arr)


def _infer_array(data, dtype):
    """An array from Python data, with PyTorch's dtype inference."""
    if isinstance(data, Tensor):
        arr = data._data
        return arr if dtype is None else arr.astype(dtype.np)
    if isinstance(data, np.ndarray):
        D.from_numpy_dtype(data.dtype)  # rejects object arrays etc.
        return data if dtype is None else data.astype(dtype.np)
    if isinstance(data, np.generic):
        arr = np.asarray(data)
        return arr if dtype is None else arr.astype(dtype.np)
    try:
        arr = np.asarray(data)
    except ValueError:
        _check_sequence(data)  # PyTorch's message for ragged nesting
        raise
    if arr.dtype == object:
        _check_sequence(data)
        raise TypeError(f"tensor(): could not infer dtype of {type(data).__name__}")
    if arr.dtype.kind in "US":
        _check_sequence(data)
        raise TypeError(f"new(): invalid data type '{type(data).__name__}'")
    if dtype is not None:
        return _cast_python_data(arr, dtype)
    kind = arr.dtype.kind
    if kind == "f" and not _holds_numpy_data(data):
        return arr.astype(D.get_default_dtype().np)
    if kind == "c" and not _holds_numpy_data(data):
        return arr.astype(D.get_default_dtype().to_complex().np)
    return arr


def _cast_python_data(arr: np.ndarray, dt) -> np.ndarray:
    """Cast data built from Python numbers to ``dt``; integers that do not fit raise, as in
    PyTorch (NumPy would wrap them around)."""
    target = dt.np
    if arr.dtype.kind in "iu" and target.kind in "iu" and arr.size:
        info = np.iinfo(target)
        if arr.min() < info.min or arr.max() > info.max:
            raise RuntimeError(f"value cannot be converted to type {dt.name} without overflow")
    with np.errstate(over="ignore", invalid="ignore"):
        return arr.astype(target)


def _holds_numpy_data(data) -> bool:
    """True when the data's element type came from NumPy or Tensors (keep it as it is)."""
    while isinstance(data, (list, tuple)) and data:
        data = data[0]
    return isinstance(data, (np.ndarray, np.generic, Tensor))


def _check_sequence(data, depth=0):
    """Raise PyTorch's error for ragged nesting or an element that is not a number."""
    if isinstance(data, (list, tuple)):
        lengths = {len(d) if isinstance(d, (list, tuple)) else -1 for d in data}
        if len(lengths) > 1:
            n = len(data[0]) if isinstance(data[0], (list, tuple)) else 0
            bad = next(
                len(d) if isinstance(d, (list, tuple)) else 0
                for d in data
                if (len(d) if isinstance(d, (list, tuple)) else 0) != n
            )
            raise ValueError(f"expected sequence of length {n} at dim {depth + 1} (got {bad})")
        for d in data:
            _check_sequence(d, depth + 1)
    elif isinstance(data, (str, bytes)):
        raise TypeError(f"new(): invalid data type '{type(data).__name__}'")
    elif not isinstance(data, (numbers.Number, np.generic, np.ndarray, Tensor)):
        raise TypeError(f"tensor(): could not convert {type(data).__name__} to a tensor element")


def tensor(
    data, *, dtype=None, device=None, requires_grad: bool = False, pin_memory=False
) -> Tensor:
    """Build a tensor by copying ``data`` (a number, nested sequence, array or tensor).

    Args:
        data: initial data.
        dtype: element type; inferred from the data when None.
        device: where to put the tensor (default: the default device, the CPU).
        requires_grad: record operations on the result for autograd.

    Example:
        >>> import ember
        >>> ember.tensor([1.5, 2.5], requires_grad=True)
        tensor([1.5000, 2.5000], requires_grad=True)
    """
    dt = None if dtype is None else D.to_dtype(dtype)
    if isinstance(data, Tensor):
        arr = data._data.copy() if dt is None else data._data.astype(dt.np)
    else:
        arr = np.array(_infer_array(data, dt), copy=True)
    if device is not None or _default_device is not None:
        arr = _move(arr, device)
    t = _make(arr, False, None)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _move(arr, dev):
    xp = _xp(dev)
    if xp is np:
        return arr if arr.__class__ is np.ndarray else arr.get()
    if arr.__class__ is np.ndarray:
        return _place(arr, dev)
    return arr


def as_tensor(data, dtype=None, device=None) -> Tensor:
    """Convert data to a tensor, sharing memory when it is already an array or tensor of the
    requested dtype and device.

    Example:
        >>> import numpy as np, ember
        >>> a = np.zeros(3)
        >>> t = ember.as_tensor(a)
        >>> a[0] = 1.0
        >>> t[0].item()
        1.0
    """
    dt = None if dtype is None else D.to_dtype(dtype)
    if isinstance(data, Tensor):
        if (dt is None or data._data.dtype == dt.np) and device is None:
            return data
        out = data.to(device=device, dtype=dt)
        return out
    arr = _infer_array(data, dt)
    if device is not None or _default_device is not None:
        arr = _move(arr, device)
    return _make(arr, False, None)


def asarray(obj, *, dtype=None, device=None, copy=None, requires_grad=False) -> Tensor:
    """Like ``as_tensor``; ``copy=True`` forces a copy, ``copy=False`` forbids one."""
    t = as_tensor(obj, dtype=dtype, device=device)
    if copy:
        t = _make(t._data.copy(), False, None)
    elif copy is False and isinstance(obj, np.ndarray) and t._data is not obj:
        raise ValueError("asarray(): copy=False but a copy is needed")
    if requires_grad:
        t.requires_grad_(True)
    return t


def from_numpy(arr: np.ndarray) -> Tensor:
    """A tensor sharing memory with the NumPy array ``arr`` (writes show through both ways).

    Example:
        >>> import numpy as np, ember
        >>> a = np.arange(3.0)
        >>> t = ember.from_numpy(a)
        >>> t.add_(1)
        tensor([1., 2., 3.], dtype=ember.float64)
        >>> a
        array([1., 2., 3.])
    """
    if not isinstance(arr, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(arr).__name__})")
    D.from_numpy_dtype(arr.dtype)
    return _make(arr, False, None)


def from_dlpack(ext) -> Tensor:
    """A tensor sharing memory with any object that implements the DLPack protocol."""
    if isinstance(ext, Tensor):
        return ext
    dev_type = ext.__dlpack_device__()[0] if hasattr(ext, "__dlpack_device__") else 1
    if dev_type == 1:
        return _make(np.from_dlpack(ext), False, None)
    from .backends import array_module

    cp = array_module(device("cuda"))
    return _make(cp.from_dlpack(ext), False, None)


def _size_args(size, op: str) -> tuple:
    if len(size) == 1 and isinstance(size[0], (list, tuple)):
        size = tuple(size[0])
    try:
        shape = tuple(int(s.__index__()) for s in size)
    except (AttributeError, TypeError):
        raise TypeError(
            f"{op}(): argument 'size' must be a tuple of ints, but found element of type "
            f"{type(next(s for s in size if not hasattr(s, '__index__'))).__name__}"
        ) from None
    for s in shape:
        if s < 0:
            raise RuntimeError(
                f"{op}(): trying to create tensor with negative dimension {s}: {list(shape)}"
            )
    return shape


def _factory(shape, fill, dtype, device, requires_grad, op):
    dt = D.get_default_dtype() if dtype is None else D.to_dtype(dtype)
    xp = _xp(device)
    if fill == 0:
        arr = xp.zeros(shape, dtype=dt.np)
    elif fill is None:
        arr = xp.empty(shape, dtype=dt.np)
    else:
        arr = xp.full(shape, fill, dtype=dt.np)
    t = _make(arr, False, None)
    if requires_grad:
        t.requires_grad_(True)
    return t


def zeros(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False) -> Tensor:
    """A tensor of zeros of the given size.

    Example:
        >>> import ember
        >>> ember.zeros(2, 2)
        tensor([[0., 0.],
                [0., 0.]])
    """
    t = _factory(_size_args(size, "zeros"), 0, dtype, device, requires_grad, "zeros")
    return _out(t, out)


def ones(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False) -> Tensor:
    """A tensor of ones of the given size.

    Example:
        >>> import ember
        >>> ember.ones(3, dtype=ember.int64)
        tensor([1, 1, 1])
    """
    return _out(_factory(_size_args(size, "ones"), 1, dtype, device, requires_grad, "ones"), out)


def empty(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False,
          pin_memory=False, memory_format=None) -> Tensor:  # fmt: skip
    """An uninitialised tensor of the given size."""
    return _out(
        _factory(_size_args(size, "empty"), None, dtype, device, requires_grad, "empty"), out
    )


def empty_strided(size, stride, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    """An uninitialised tensor of the given size (the strides are those of a fresh array)."""
    return _factory(_size_args((size,), "empty_strided"), None, dtype, device, requires_grad, "")


def full(size, fill_value, *, out=None, dtype=None, layout=None, device=None,
         requires_grad=False) -> Tensor:  # fmt: skip
    """A tensor of the given size filled with ``fill_value``; the dtype follows the value
    (bool, int64, the default float or complex) when not given.

    Example:
        >>> import ember
        >>> ember.full((2,), 7)
        tensor([7, 7])
    """
    if dtype is None:
        dtype = (
            D.result_type(fill_value) if not isinstance(fill_value, Tensor) else fill_value.dtype
        )
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    shape = _size_args((size,) if not isinstance(size, (list, tuple)) else (tuple(size),), "full")
    return _out(_factory(shape, fill_value, dtype, device, requires_grad, "full"), out)


def scalar_tensor(s, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    """A zero-dim tensor holding ``s`` (default float dtype)."""
    return full(
        (), s, dtype=dtype or D.get_default_dtype(), device=device, requires_grad=requires_grad
    )


def _like(input: Tensor, fill, dtype, device, requires_grad):
    dt = input.dtype if dtype is None else D.to_dtype(dtype)
    dev = input.device if device is None else device
    return _factory(input._data.shape, fill, dt, dev, requires_grad, "like")


def zeros_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=None) -> Tensor:  # fmt: skip
    """Zeros with the shape (and, unless given, dtype and device) of ``input``."""
    return _like(input, 0, dtype, device, requires_grad)


def ones_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None) -> Tensor:  # fmt: skip
    """Ones with the shape (and, unless given, dtype and device) of ``input``."""
    return _like(input, 1, dtype, device, requires_grad)


def empty_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=None) -> Tensor:  # fmt: skip
    """An uninitialised tensor with the shape of ``input``."""
    return _like(input, None, dtype, device, requires_grad)


def full_like(input, fill_value, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None) -> Tensor:  # fmt: skip
    """``fill_value`` everywhere, with the shape of ``input``."""
    return _like(input, fill_value, dtype, device, requires_grad)


def _num(x):
    return x.item() if isinstance(x, Tensor) else x


def arange(start=0, end=None, step=1, *, out=None, dtype=None, layout=None, device=None,
           requires_grad=False) -> Tensor:  # fmt: skip
    """Values from ``start`` to ``end`` (exclusive) by ``step``; int64 when all three are
    integers, else the default float dtype.

    Example:
        >>> import ember
        >>> ember.arange(5)
        tensor([0, 1, 2, 3, 4])
        >>> ember.arange(0, 1, 0.25)
        tensor([0.0000, 0.2500, 0.5000, 0.7500])
    """
    start, end, step = _num(start), _num(end), _num(step)
    if end is None:
        start, end = 0, start
    if step == 0:
        raise RuntimeError("arange(): step must be nonzero")
    if (end - start) * step < 0:
        raise RuntimeError(
            f"arange(): upper bound and lower bound inconsistent with step sign "
            f"(start={start}, end={end}, step={step})"
        )
    if dtype is None:
        ints = all(isinstance(v, (int, np.integer)) for v in (start, end, step))
        dt = D.int64 if ints else D.get_default_dtype()
    else:
        dt = D.to_dtype(dtype)
    n = int(np.ceil((end - start) / step))
    arr = start + np.arange(n, dtype=np.float64 if dt.is_floating_point else np.int64) * step
    arr = arr.astype(dt.np)
    t = _make(_move(arr, device) if device is not None or _default_device else arr, False, None)
    if requires_grad:
        t.requires_grad_(True)
    return _out(t, out)


def range(start=0, end=None, step=1, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    """Deprecated in PyTorch: like ``arange`` but including ``end``; float by default."""
    if end is None:
        start, end = 0, start
    n = int(np.floor((end - start) / step)) + 1
    arr = (start + np.arange(n) * step).astype(
        (D.to_dtype(dtype) if dtype else D.get_default_dtype()).np
    )
    t = _make(_move(arr, device) if device is not None else arr, False, None)
    return t.requires_grad_(True) if requires_grad else t


def linspace(start, end, steps: int, *, out=None, dtype=None, layout=None, device=None,
             requires_grad=False) -> Tensor:  # fmt: skip
    """``steps`` evenly spaced values from ``start`` to ``end`` inclusive.

    Example:
        >>> import ember
        >>> ember.linspace(0, 1, 5)
        tensor([0.0000, 0.2500, 0.5000, 0.7500, 1.0000])
    """
    if steps < 0:
        raise RuntimeError("linspace(): number of steps must be non-negative")
    dt = D.get_default_dtype() if dtype is None else D.to_dtype(dtype)
    arr = np.linspace(_num(start), _num(end), steps, dtype=np.float64)
    if not (dt.is_floating_point or dt.is_complex):
        arr = np.trunc(arr)
    arr = arr.astype(dt.np)
    t = _make(_move(arr, device) if device is not None or _default_device else arr, False, None)
    if requires_grad:
        t.requires_grad_(True)
    return _out(t, out)


def logspace(start, end, steps: int, base: float = 10.0, *, out=None, dtype=None, layout=None,
             device=None, requires_grad=False) -> Tensor:  # fmt: skip
    """``steps`` values from ``base**start`` to ``base**end`` on a log scale.

    Example:
        >>> import ember
        >>> ember.logspace(0, 2, 3)
        tensor([  1.,  10., 100.])
    """
    dt = D.get_default_dtype() if dtype is None else D.to_dtype(dtype)
    arr = np.logspace(_num(start), _num(end), steps, base=base, dtype=np.float64).astype(dt.np)
    t = _make(_move(arr, device) if device is not None or _default_device else arr, False, None)
    if requires_grad:
        t.requires_grad_(True)
    return _out(t, out)


def eye(n: int, m: int | None = None, *, out=None, dtype=None, layout=None, device=None,
        requires_grad=False) -> Tensor:  # fmt: skip
    """The ``n x m`` identity matrix.

    Example:
        >>> import ember
        >>> ember.eye(2)
        tensor([[1., 0.],
                [0., 1.]])
    """
    dt = D.get_default_dtype() if dtype is None else D.to_dtype(dtype)
    if n < 0:
        raise RuntimeError(f"eye(): n must be greater or equal to 0, got {n}")
    if m is not None and m < 0:
        raise RuntimeError(f"eye(): m must be greater or equal to 0, got {m}")
    arr = _xp(device).eye(n, n if m is None else m, dtype=dt.np)
    t = _make(arr, False, None)
    if requires_grad:
        t.requires_grad_(True)
    return _out(t, out)


def _out(t: Tensor, out):
    if out is None:
        return t
    from .ops.inplace import write_out

    return write_out(out, t)


# -- Tensor.new_* ------------------------------------------------------------------------------
# Factories that default to the dtype and device of an existing tensor (registered on Tensor).


def new_tensor(self, data, *, dtype=None, device=None, requires_grad=False, layout=None,
               pin_memory=False) -> Tensor:  # fmt: skip
    """A copy of ``data`` as a tensor with this tensor's dtype and device (unless given).

    Example:
        >>> import ember
        >>> ember.tensor([1.0], dtype=ember.float64).new_tensor([2, 3])
        tensor([2., 3.], dtype=ember.float64)
    """
    if isinstance(data, Tensor):
        data = data.detach()
    dtype = self.dtype if dtype is None else dtype
    device = self.device if device is None else device
    return tensor(data, dtype=dtype, device=device, requires_grad=requires_grad)


def _new_factory(self, size, fill, dtype, device, requires_grad, op):
    dt = self.dtype if dtype is None else D.to_dtype(dtype)
    dev = self.device if device is None else device
    return _factory(_size_args(size, op), fill, dt, dev, requires_grad, op)


def new_zeros(self, *size, dtype=None, device=None, requires_grad=False, layout=None,
              pin_memory=False) -> Tensor:  # fmt: skip
    """Zeros of ``size`` with this tensor's dtype and device (unless given).

    Example:
        >>> import ember
        >>> ember.tensor([1, 2]).new_zeros(2, 2)
        tensor([[0, 0],
                [0, 0]])
    """
    return _new_factory(self, size, 0, dtype, device, requires_grad, "new_zeros")


def new_ones(self, *size, dtype=None, device=None, requires_grad=False, layout=None,
             pin_memory=False) -> Tensor:  # fmt: skip
    """Ones of ``size`` with this tensor's dtype and device (unless given)."""
    return _new_factory(self, size, 1, dtype, device, requires_grad, "new_ones")


def new_empty(self, *size, dtype=None, device=None, requires_grad=False, layout=None,
              pin_memory=False) -> Tensor:  # fmt: skip
    """An uninitialised tensor of ``size`` with this tensor's dtype and device."""
    return _new_factory(self, size, None, dtype, device, requires_grad, "new_empty")


def new_full(self, size, fill_value, *, dtype=None, device=None, requires_grad=False,
             layout=None, pin_memory=False) -> Tensor:  # fmt: skip
    """``fill_value`` everywhere in a tensor of ``size`` with this tensor's dtype and device.

    Example:
        >>> import ember
        >>> ember.tensor([1, 2]).new_full((3,), 7)
        tensor([7, 7, 7])
    """
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    size = (tuple(size),) if isinstance(size, (list, tuple)) else (size,)
    dt = self.dtype if dtype is None else D.to_dtype(dtype)
    if not (dt.is_floating_point or dt.is_complex) and isinstance(fill_value, float):
        fill_value = int(fill_value)  # PyTorch truncates a float fill for integer tensors
    return _new_factory(self, size, fill_value, dt, device, requires_grad, "new_full")


for _fn in (new_tensor, new_zeros, new_ones, new_empty, new_full):
    setattr(Tensor, _fn.__name__, _fn)
del _fn


# -- legacy constructors -------------------------------------------------------------------------


def legacy_new(args, dtype, device) -> Tensor:
    """``Tensor(*sizes)`` (uninitialised) or ``Tensor(data)``, as PyTorch's legacy constructor."""
    dt = D.to_dtype(dtype)
    if not args:
        return empty(0, dtype=dt, device=device)
    if len(args) == 1 and not isinstance(args[0], (int, np.integer)):
        data = args[0]
        if isinstance(data, Tensor):
            return data if data.dtype is dt else data.to(dt)
        return tensor(data, dtype=dt, device=device)
    return empty(*args, dtype=dt, device=device)


class _LegacyTensorType(type):
    def __instancecheck__(cls, obj):
        return isinstance(obj, Tensor) and obj.dtype is cls._dtype


def _legacy(name: str, dt: D.dtype):
    def new(cls, *args, device=None):
        return legacy_new(args, dt, device)

    doc = (
        f"Legacy constructor: ``{name}(*sizes)`` makes an uninitialised {dt} tensor, "
        f"``{name}(data)`` one from data."
    )
    return _LegacyTensorType(name, (), {"__new__": new, "_dtype": dt, "__doc__": doc})


FloatTensor = _legacy("FloatTensor", D.float32)
DoubleTensor = _legacy("DoubleTensor", D.float64)
HalfTensor = _legacy("HalfTensor", D.float16)
LongTensor = _legacy("LongTensor", D.int64)
IntTensor = _legacy("IntTensor", D.int32)
ShortTensor = _legacy("ShortTensor", D.int16)
CharTensor = _legacy("CharTensor", D.int8)
BoolTensor = _legacy("BoolTensor", D.bool)
ByteTensor = _legacy("ByteTensor", D.uint8)


def _rebuild_tensor(cls, arr, requires_grad, dev):
    t = cls.__new__(cls)
    _init(t, arr, False, None)
    if dev != "cpu":
        t._data = _move(arr, dev)
    if requires_grad:
        t._requires_grad = True
    if cls is not Tensor:
        t._is_param = True
    return t

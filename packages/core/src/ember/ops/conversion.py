"""dtype and device conversion: ``Tensor.to``, ``.float()``/``.double()``/..., ``.type()``,
``.cpu()``/``.cuda()``, ``clone``, ``contiguous``.

Example:
    >>> import ember
    >>> x = ember.tensor([1.5, 2.5])
    >>> x.to(ember.int64)
    tensor([1, 2])
    >>> x.double().dtype
    ember.float64
"""

from __future__ import annotations

from .. import _dtype as D
from .._device import device as _device_cls
from .._device import to_device
from ._core import Node, Tensor, attach, grad_state, new_tensor, np

__all__ = ["clone"]


class ToCopyBackward0(Node):
    __slots__ = ()

    def backward(self, F, grad, src_dtype, src_device):
        g = grad
        if src_device is not None:
            g = F.to_device(g, src_device)
        if src_dtype is not None:
            if src_dtype.kind != "c" and getattr(g.dtype, "kind", None) == "c":
                g = F.real(g)
            g = F.astype(g, src_dtype)
        return g


def _convert(t: Tensor, dt, dev, copy: bool) -> Tensor:
    data = t._data
    src_dtype = data.dtype
    src_dev = t.device
    if dev is not None and dev.type == "cuda" and dev.index is None:
        dev = _device_cls("cuda", 0)  # before comparing: 'cuda' is cuda:0 for a cuda:0 tensor
    if dev is not None and dev != src_dev:
        from .._creation import _move

        arr = _move(data, dev)
        if dt is not None and arr.dtype != dt.np:
            arr = arr.astype(dt.np)
    elif dt is not None and src_dtype != dt.np:
        arr = _cast(data, dt)
    else:
        if not copy:
            return t
        arr = data.copy()
    out = new_tensor(arr)
    if grad_state.enabled and t._requires_grad and arr.dtype.kind in "fc":
        node = ToCopyBackward0()
        attach(out, node, t)
        node.save(
            src_dtype if src_dtype != arr.dtype else None,
            src_dev if dev is not None and dev != src_dev else None,
        )
    return out


def _cast(data, dt):
    if data.dtype.kind == "c" and dt.np.kind != "c":
        import warnings

        warnings.warn("Casting complex values to real discards the imaginary part", stacklevel=4)
        data = data.real
    if data.dtype.kind == "f" and dt.np.kind in "iu":
        with np.errstate(invalid="ignore"):
            return np.trunc(data).astype(dt.np)
    return data.astype(dt.np)


def _parse_to(args, kwargs):
    dt = dev = None
    copy = kwargs.pop("copy", False)
    kwargs.pop("non_blocking", None)
    kwargs.pop("memory_format", None)
    if "dtype" in kwargs:
        d = kwargs.pop("dtype")
        dt = None if d is None else D.to_dtype(d)
    if "device" in kwargs:
        d = kwargs.pop("device")
        dev = None if d is None else to_device(d)
    if kwargs:
        raise TypeError(f"to() got unexpected keyword arguments {sorted(kwargs)}")
    for a in args:
        if isinstance(a, Tensor):
            dt, dev = a.dtype, a.device
        elif isinstance(a, D.dtype) or a in (float, int, bool, complex) or isinstance(a, np.dtype):
            dt = D.to_dtype(a)
        elif isinstance(a, (str, _device_cls, int)):
            dev = to_device(a)
        elif isinstance(a, bool):
            pass
        elif a is None:
            continue
        else:
            raise TypeError(f"to() received an invalid combination of arguments: {a!r}")
    return dt, dev, copy


def to(self, *args, **kwargs) -> Tensor:
    """Convert to another dtype and/or device: ``to(dtype)``, ``to(device)``,
    ``to(device, dtype)``, ``to(other)``; keywords ``dtype``, ``device``, ``non_blocking``,
    ``copy``. Returns ``self`` when nothing changes and ``copy`` is False."""
    dt, dev, copy = _parse_to(list(args), dict(kwargs))
    return _convert(self, dt, dev, copy)


def _as(dt):
    def conv(self, memory_format=None):
        return _convert(self, dt, None, False)

    conv.__doc__ = f"``self.to({dt})``."
    return conv


def type_(self, dtype=None, non_blocking=False):
    """With no argument, the type name (``'ember.FloatTensor'``); else convert to ``dtype``
    (a dtype or a name such as ``'ember.LongTensor'``)."""
    if dtype is None:
        names = {
            "float32": "FloatTensor", "float64": "DoubleTensor", "float16": "HalfTensor",
            "int64": "LongTensor", "int32": "IntTensor", "int16": "ShortTensor",
            "int8": "CharTensor", "uint8": "ByteTensor", "bool": "BoolTensor",
        }  # fmt: skip
        name = names.get(self.dtype.name, self.dtype.name)
        return f"ember.{'cuda.' if self.is_cuda else ''}{name}"
    if isinstance(dtype, str):
        legacy = {
            "FloatTensor": D.float32, "DoubleTensor": D.float64, "HalfTensor": D.float16,
            "LongTensor": D.int64, "IntTensor": D.int32, "ShortTensor": D.int16,
            "CharTensor": D.int8, "ByteTensor": D.uint8, "BoolTensor": D.bool,
        }  # fmt: skip
        key = dtype.split(".")[-1]
        if key not in legacy:
            raise ValueError(f"invalid type: '{dtype}'")
        dtype = legacy[key]
    elif isinstance(dtype, type) and hasattr(dtype, "_dtype"):
        dtype = dtype._dtype
    return _convert(self, D.to_dtype(dtype), None, False)


def type_as(self, other: Tensor) -> Tensor:
    """``self.to(other.dtype)``."""
    return _convert(self, other.dtype, None, False)


def cpu(self, memory_format=None) -> Tensor:
    """A copy on the CPU (self when already there)."""
    return _convert(self, None, _device_cls("cpu"), False)


def cuda(self, device=None, non_blocking=False, memory_format=None) -> Tensor:
    """A copy on the GPU (``device``: ordinal or device; default the current one)."""
    dev = _device_cls("cuda", 0) if device is None else to_device(device)
    if dev.type != "cuda":
        raise RuntimeError(f"Invalid device, must be cuda device, got {dev}")
    return _convert(self, None, dev, False)


class CloneBackward0(Node):
    __slots__ = ()

    def backward(self, F, grad):
        return grad


def clone(input: Tensor, *, memory_format=None) -> Tensor:
    """A copy of ``input`` that stays in the graph (gradients flow back to ``input``).

    Example:
        >>> import ember
        >>> x = ember.ones(2, requires_grad=True)
        >>> x.clone().grad_fn
        <CloneBackward0 object at ...>
    """
    out = new_tensor(input._data.copy())
    if grad_state.enabled and input._requires_grad:
        attach(out, CloneBackward0(), input)
    return out


def contiguous(self, memory_format=None) -> Tensor:
    """Self if its memory is C-contiguous, else a contiguous copy in the graph."""
    if self._data.flags["C_CONTIGUOUS"]:
        return self
    return clone(self)


def pin_memory(self, device=None) -> Tensor:
    """A copy of this CPU tensor in page-locked host memory (needs a GPU)."""
    from ..utils.data._pin import pin_memory as _pin

    return _pin(self)


def is_pinned(self, device=None) -> bool:
    """Whether this tensor's memory is page-locked (False without a GPU)."""
    from ..utils.data._pin import is_pinned_array

    return is_pinned_array(self._data)


Tensor.pin_memory = pin_memory
Tensor.is_pinned = is_pinned
Tensor.to = to
Tensor.type = type_
Tensor.type_as = type_as
Tensor.cpu = cpu
Tensor.cuda = cuda
Tensor.clone = clone
Tensor.contiguous = contiguous
for _name, _dt in {
    "float": D.float32, "double": D.float64, "half": D.float16, "bfloat16": D.bfloat16,
    "long": D.int64, "int": D.int32, "short": D.int16, "char": D.int8, "byte": D.uint8,
    "bool": D.bool, "cfloat": D.complex64, "cdouble": D.complex128,
}.items():  # fmt: skip
    setattr(Tensor, _name, _as(_dt))
del _name, _dt

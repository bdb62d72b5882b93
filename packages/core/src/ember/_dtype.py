"""Data types, PyTorch's type-promotion rules and the default dtype.

An :class:`dtype` wraps one NumPy dtype. Promotion follows PyTorch, not NumPy:

* categories are ordered ``bool < integer < floating < complex``;
* a dimensioned tensor outranks a zero-dim tensor, which outranks a Python scalar, but only
  within a category: ``int64 tensor * 2.5`` is the default float dtype, while
  ``float32 tensor * float64 zero-dim tensor`` stays float32;
* integer with float promotes to the float (``int64 + float16 -> float16``), where NumPy
  would pick float64.

Example:
    >>> import ember
    >>> ember.promote_types(ember.int64, ember.float16)
    ember.float16
    >>> (ember.tensor([1, 2]) / 2).dtype
    ember.float32
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "dtype",
    "float16",
    "half",
    "float32",
    "float",
    "float64",
    "double",
    "bfloat16",
    "int8",
    "int16",
    "short",
    "int32",
    "int",
    "int64",
    "long",
    "uint8",
    "uint16",
    "uint32",
    "uint64",
    "bool",
    "complex64",
    "cfloat",
    "complex128",
    "cdouble",
    "get_default_dtype",
    "set_default_dtype",
    "promote_types",
    "result_type",
    "can_cast",
    "finfo",
    "iinfo",
]

_BOOL, _INT, _FLOAT, _COMPLEX = 0, 1, 2, 3


class dtype:
    """A tensor element type (``ember.float32``, ``ember.int64``, ...).

    Attributes:
        is_floating_point: True for float16/32/64.
        is_complex: True for complex64/128.
        is_signed: True unless the type is unsigned or bool.
        itemsize: bytes per element.
    """

    __slots__ = (
        "category",
        "is_complex",
        "is_floating_point",
        "is_signed",
        "itemsize",
        "name",
        "np",
    )

    def __init__(self, name: str, np_dtype, category: int):
        self.name = name
        self.np = np.dtype(np_dtype)
        self.category = category
        self.is_floating_point = category == _FLOAT
        self.is_complex = category == _COMPLEX
        self.is_signed = category != _BOOL and self.np.kind != "u"
        self.itemsize = self.np.itemsize

    def __repr__(self) -> str:
        return f"ember.{self.name}"

    def __reduce__(self):
        return (_dtype_by_name, (self.name,))

    def to_real(self) -> dtype:
        """The real counterpart of a complex dtype (``complex64 -> float32``); self otherwise."""
        return _REAL_OF.get(self, self)

    def to_complex(self) -> dtype:
        """The complex counterpart of a float dtype (``float32 -> complex64``)."""
        return _COMPLEX_OF.get(self, self)


float16 = half = dtype("float16", np.float16, _FLOAT)
float32 = float = dtype("float32", np.float32, _FLOAT)
float64 = double = dtype("float64", np.float64, _FLOAT)
int8 = dtype("int8", np.int8, _INT)
int16 = short = dtype("int16", np.int16, _INT)
int32 = int = dtype("int32", np.int32, _INT)
int64 = long = dtype("int64", np.int64, _INT)
uint8 = dtype("uint8", np.uint8, _INT)
uint16 = dtype("uint16", np.uint16, _INT)
uint32 = dtype("uint32", np.uint32, _INT)
uint64 = dtype("uint64", np.uint64, _INT)
bool = dtype("bool", np.bool_, _BOOL)
complex64 = cfloat = dtype("complex64", np.complex64, _COMPLEX)
complex128 = cdouble = dtype("complex128", np.complex128, _COMPLEX)


class _BFloat16(dtype):
    """bfloat16, stored with the ``ml_dtypes`` package's NumPy dtype (NumPy has none).

    ``ml_dtypes`` is imported on first use of ``.np``; without it, making a bfloat16 tensor
    raises a TypeError that says how to install it. Promotion and ``finfo`` work without it.
    """

    __slots__ = ()

    def __init__(self):
        self.name = "bfloat16"
        self.category = _FLOAT
        self.is_floating_point = True
        self.is_complex = False
        self.is_signed = True
        self.itemsize = 2

    @property
    def np(self):
        np_dtype = _bfloat16_numpy()
        if np_dtype is None:
            raise TypeError("bfloat16 needs the ml_dtypes package: pip install ml_dtypes")
        return np_dtype


_BF16_NP = None


def _bfloat16_numpy():
    """ml_dtypes' bfloat16 NumPy dtype, or None when ml_dtypes is not installed."""
    global _BF16_NP
    if _BF16_NP is None:
        try:
            import ml_dtypes
        except ImportError:
            return None
        _BF16_NP = np.dtype(ml_dtypes.bfloat16)
        _FROM_NP[_BF16_NP] = bfloat16
    return _BF16_NP


bfloat16 = _BFloat16()

_ALL = (
    float16, float32, float64, bfloat16, int8, int16, int32, int64, uint8, uint16, uint32,
    uint64, bool, complex64, complex128,
)  # fmt: skip
_BY_NAME = {d.name: d for d in _ALL}
# NumPy dtype -> ember dtype; float32 maps to float32, never to bfloat16.
_FROM_NP = {d.np: d for d in _ALL if d is not bfloat16}  # bfloat16 joins when loaded
_REAL_OF = {complex64: float32, complex128: float64}
_COMPLEX_OF = {float16: complex64, float32: complex64, float64: complex128, bfloat16: complex64}

_default_float = float32


def _dtype_by_name(name: str) -> dtype:
    return _BY_NAME[name]


def from_numpy_dtype(np_dtype) -> dtype:
    """The ember dtype of a NumPy dtype; raises TypeError for types Ember cannot hold."""
    try:
        return _FROM_NP[np_dtype]
    except KeyError:
        try:
            nd = np.dtype(np_dtype)
        except TypeError:
            nd = None
        if nd is not None and nd in _FROM_NP:
            return _FROM_NP[nd]
        if nd is not None and nd.name == "bfloat16" and _bfloat16_numpy() == nd:
            return bfloat16
        shown = f"numpy.{nd.type.__name__}" if nd is not None else repr(np_dtype)
        raise TypeError(
            f"can't convert np.ndarray of type {shown}. The only supported types "
            "are: float64, float32, float16, complex64, complex128, int64, int32, int16, "
            "int8, uint8, and bool."
        ) from None


def to_dtype(obj) -> dtype:
    """Accept an ember dtype, a NumPy dtype, a Python type or a dtype name."""
    if obj.__class__ is dtype or obj is bfloat16:
        return obj
    if obj is builtins_float:
        return float64  # PyTorch: the Python type float means float64, complex complex128
    if obj is builtins_int:
        return int64
    if obj is builtins_bool:
        return bool
    if obj is builtins_complex:
        return complex128
    if isinstance(obj, str) and obj in _BY_NAME:
        return _BY_NAME[obj]
    return from_numpy_dtype(obj)


import builtins as _builtins  # noqa: E402

builtins_float = _builtins.float
builtins_int = _builtins.int
builtins_bool = _builtins.bool
builtins_complex = _builtins.complex


def get_default_dtype() -> dtype:
    """The dtype of floating-point tensors built from Python floats (float32 unless changed)."""
    return _default_float


def set_default_dtype(d) -> None:
    """Set the default floating-point dtype (float16, float32 or float64).

    Example:
        >>> import ember
        >>> ember.set_default_dtype(ember.float64)
        >>> ember.tensor([1.5]).dtype
        ember.float64
        >>> ember.set_default_dtype(ember.float32)
    """
    global _default_float
    d = to_dtype(d)
    if not d.is_floating_point:
        raise TypeError(f"set_default_dtype: only floating-point types are supported, got {d}")
    _default_float = d


def promote_types(a, b) -> dtype:
    """The smallest dtype to which both ``a`` and ``b`` can be cast, by PyTorch's rules."""
    a, b = to_dtype(a), to_dtype(b)
    if a is b:
        return a
    if a.category != b.category:
        if a.category < b.category:
            a, b = b, a
        if a.is_complex and b.is_floating_point and b.itemsize * 2 > a.itemsize:
            return complex128
        return a
    if a is bfloat16 or b is bfloat16:
        other = b if a is bfloat16 else a
        return float32 if other is float16 else other
    return _FROM_NP[np.promote_types(a.np, b.np)]


def _scalar_category(x) -> int:
    cls = x.__class__
    if cls is builtins_bool or cls is np.bool_:
        return _BOOL
    if cls is builtins_int or isinstance(x, np.integer):
        return _INT
    if cls is builtins_complex or isinstance(x, np.complexfloating):
        return _COMPLEX
    return _FLOAT


def _wrapped_dtype(x) -> dtype:
    """The dtype a Python (or NumPy) scalar takes part in promotion with."""
    cat = _scalar_category(x)
    if cat == _COMPLEX:
        return _default_float.to_complex()
    if cat == _FLOAT:
        return _default_float
    if cat == _INT:
        return int64
    return bool


def _combine_categories(higher, lower):
    """PyTorch's ``combine_categories``: ``higher`` (a more dimensioned class of operand)
    wins unless ``lower`` is of a higher category."""
    if higher is None:
        return lower
    if lower is None:
        return higher
    if higher.is_complex:
        return higher
    if lower.is_complex:
        return higher.to_complex() if higher.is_floating_point else lower
    if higher.is_floating_point:
        return higher
    if higher is bool or lower.is_floating_point:
        return promote_types(higher, lower)
    return higher


def result_type(*operands) -> dtype:
    """The dtype an operation on ``operands`` (tensors and Python scalars) returns, by
    PyTorch's rules: dimensioned tensors, then zero-dim tensors, then Python scalars, each
    class counting only when it brings a higher category (bool < int < float < complex).

    Example:
        >>> import ember
        >>> ember.result_type(ember.tensor([1, 2]), 1.0)
        ember.float32
        >>> ember.result_type(ember.tensor([1.0]), ember.tensor(1.0, dtype=ember.float64))
        ember.float32
    """
    from ._tensor import Tensor

    dims = zeros = wrapped = None
    for x in operands:
        if isinstance(x, Tensor):
            if x._data.ndim:
                dims = x.dtype if dims is None else promote_types(dims, x.dtype)
            else:
                zeros = x.dtype if zeros is None else promote_types(zeros, x.dtype)
        elif isinstance(x, dtype):
            dims = x if dims is None else promote_types(dims, x)
        else:
            w = _wrapped_dtype(x)
            wrapped = w if wrapped is None else promote_types(wrapped, w)
    result = _combine_categories(dims, _combine_categories(zeros, wrapped))
    if result is None:
        raise TypeError("result_type: expected at least one tensor, dtype or scalar")
    return result


def can_cast(from_, to) -> builtins_bool:
    """Whether a cast is allowed under PyTorch's same-kind rule (no lowering of category)."""
    from_, to = to_dtype(from_), to_dtype(to)
    return from_.category <= to.category


class finfo:
    """Machine limits of a floating-point dtype (``bits, eps, max, min, tiny, resolution``).

    Example:
        >>> import ember
        >>> ember.finfo(ember.float32).eps
        1.1920928955078125e-07
    """

    def __init__(self, type=None):
        d = _default_float if type is None else to_dtype(type)
        if not (d.is_floating_point or d.is_complex):
            raise TypeError(
                f"ember.finfo() requires a floating point input type, got {d}; use ember.iinfo "
                "for integer types"
            )
        d = d.to_real()
        if d is bfloat16:
            self.bits, self.eps, self.max = 16, 2.0**-7, 3.3895313892515355e38
            self.min, self.tiny, self.resolution = -self.max, 1.1754943508222875e-38, 0.01
        else:
            info = np.finfo(d.np)
            self.bits = info.bits
            self.eps = builtins_float(info.eps)
            self.max = builtins_float(info.max)
            self.min = builtins_float(info.min)
            self.tiny = builtins_float(info.tiny)
            self.resolution = 10.0**-info.precision  # PyTorch's: 1e-06 for float32
        self.smallest_normal = self.tiny
        self.dtype = d.name

    def __repr__(self) -> str:
        return (
            f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, "
            f"eps={self.eps:g}, smallest_normal={self.tiny:g}, tiny={self.tiny:g}, "
            f"dtype={self.dtype})"
        )


class iinfo:
    """Machine limits of an integer dtype (``bits, min, max``).

    Example:
        >>> import ember
        >>> ember.iinfo(ember.int8).max
        127
    """

    def __init__(self, type):
        d = to_dtype(type)
        if d is bool:
            raise TypeError("ember.bool is not supported by ember.iinfo")
        if d.category != _INT:
            raise TypeError(
                f"ember.iinfo() requires an integer input type, got {d}; use ember.finfo for "
                "floating point types"
            )
        info = np.iinfo(d.np)
        self.bits = info.bits
        self.min = builtins_int(info.min)
        self.max = builtins_int(info.max)
        self.dtype = d.name

    def __repr__(self) -> str:
        return f"iinfo(min={self.min}, max={self.max}, dtype={self.dtype})"
